import pytest

from gan_edu import GANTrainer
from gan_edu.presets import PRESETS


@pytest.mark.parametrize("name", list(PRESETS))
def test_every_preset_builds_and_steps(name):
    preset = PRESETS[name]
    assert preset.description and preset.steps > preset.quick_steps > 0
    trainer = GANTrainer(preset.config)
    trainer.run(2, progress=False)
    assert trainer.step_count == 2
