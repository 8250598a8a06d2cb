import numpy as np
import torch
from matplotlib.figure import Figure

from gan_edu import GANTrainer, plots, views


def trained():
    t = GANTrainer(device="cpu", g_width=32, d_width=32, batch_size=64)
    t.run(30, progress=False)
    return t


def is_png(data: bytes) -> bool:
    return data[:8] == b"\x89PNG\r\n\x1a\n" and len(data) > 5000


def test_gan_figure_has_panel_and_losses_with_labels():
    t = trained()
    fig = plots.gan_figure(views.plane(t, n=128, resolution=20), t.history)
    assert isinstance(fig, Figure)
    panel, losses = fig.axes[0], fig.axes[1]
    assert panel.get_xlabel() and panel.get_ylabel() and "step 30" in panel.get_title()
    assert losses.get_xlabel() == "step" and losses.get_ylabel() == "loss"
    assert len(panel.collections) >= 4  # real, fake, modes, arrows
    assert is_png(plots.to_png(fig))


def test_heatmap_shows_d_as_probability_for_bce_and_raw_otherwise():
    t = trained()
    fig = Figure()
    ax = fig.add_subplot()
    plots.draw_heatmap(ax, views.plane(t, n=16, resolution=10))
    assert ax.images[0].get_clim() == (0.0, 1.0)
    t.configure(loss="wasserstein")
    view = views.plane(t, n=16, resolution=10)
    assert not view["d_is_probability"]
    ax = Figure().add_subplot()
    plots.draw_heatmap(ax, view)
    low, high = ax.images[0].get_clim()
    assert np.isclose(low, view["d_grid"].min()) and np.isclose(high, view["d_grid"].max(), atol=1e-6)


def test_arrows_point_where_g_loss_falls():
    t = trained()
    v = views.plane(t, n=64, resolution=8)
    x = torch.tensor(v["fake"], requires_grad=True)
    step = torch.tensor(v["arrows"]) * 1e-3
    before = t.loss.g_loss(t.D(x)).item()
    after = t.loss.g_loss(t.D(x + step)).item()
    assert after < before


def test_scatter_and_loss_curves():
    t = trained()
    fig = plots.scatter_real_fake(t.real(100).numpy(), t.sample(100).numpy(), t.data.modes.numpy())
    assert fig.axes[0].get_title() == "real vs fake"
    assert is_png(plots.to_png(plots.loss_curves(t.history, window=10)))
