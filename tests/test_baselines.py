import math

import numpy as np
import pytest
import torch

from gan_edu import baselines, toy


@pytest.fixture(scope="module")
def points():
    return toy.get_dataset("ring").sample(400, torch.Generator().manual_seed(0)).numpy()


FAST = {"mixture": 20, "kde": 1, "made": 30, "flow": 20, "autoencoder": 30, "vae": 30, "rbm": 30, "dbn": 30,
        "diffusion": 30, "gan": 5, "flow_matching": 30}  # fmt: skip
SMALL = {"diffusion": {"steps": 50}, "rbm": {"gibbs": 20}, "dbn": {"gibbs": 20}, "flow": {"layers": 2},
         "flow_matching": {"sample_steps": 8}}  # fmt: skip
ALL = baselines.MODELS | baselines.MORE_MODELS


@pytest.fixture(scope="module")
def fitted(points):
    return {name: baselines.make(name, **SMALL.get(name, {})).fit(points, FAST[name]) for name in ALL}


@pytest.mark.parametrize("name", list(ALL))
def test_every_model_samples_and_says_what_it_can(fitted, points, name):
    model = fitted[name]
    x = model.sample(50, seed=3)
    assert x.shape == (50, 2) and np.isfinite(x).all()
    assert np.array_equal(x, model.sample(50, seed=3))  # the same seed, the same samples
    assert not np.array_equal(x, model.sample(50, seed=4))
    ll = model.log_likelihood(points[:20])
    if model.likelihood in ("exact", "bound"):
        assert ll.shape == (20,) and np.isfinite(ll).all()
    else:
        assert ll is None and len(model.no_likelihood_reason) > 20  # a reason, not only "none"
    assert model.fit_seconds > 0 and model.evaluations >= 0


@pytest.mark.parametrize("name", list(ALL))
def test_bad_input_gets_a_clear_error(points, name):
    model = baselines.make(name)
    with pytest.raises(RuntimeError, match="not fitted"):
        model.sample(5)
    with pytest.raises(ValueError, match="budget"):
        model.fit(points, 0)
    bad = points.copy()
    bad[3, 1] = np.nan
    with pytest.raises(ValueError, match="NaN"):
        model.fit(bad, 5)
    with pytest.raises(ValueError, match="shape"):
        model.fit(points[:, 0], 5)


def test_wrong_width_and_unknown_name(fitted):
    with pytest.raises(ValueError, match="fitted to 2"):
        fitted["made"].log_likelihood(np.zeros((4, 3)))
    with pytest.raises(ValueError, match="unknown model 'pixelgan'.*vae"):
        baselines.make("pixelgan")
    with pytest.raises(ValueError, match="positive integer"):
        fitted["vae"].sample(0)


def test_made_is_autoregressive():
    """Output block i depends only on inputs before i: the masks make MADE a product of conditionals."""
    model = baselines.MADE(components=2, width=12)
    model.dim, model.nets = 3, model._build(3)
    x = torch.randn(1, 3, requires_grad=True)
    out = model.nets(x).view(3, -1)
    for i in range(3):
        (grad,) = torch.autograd.grad(out[i].sum(), x, retain_graph=True)
        assert (grad[0, i:] == 0).all() and (i == 0 or (grad[0, :i] != 0).all())


def test_exact_likelihoods_integrate_to_one(fitted):
    """Exact densities of the plane integrate to 1 (a Riemann sum over a fine grid); the RBM's sums
    to 1 over its states."""
    side = np.linspace(-8, 8, 801)
    grid = np.stack(np.meshgrid(side, side), -1).reshape(-1, 2)
    for name in ("mixture", "made", "flow", "rbm"):
        total = np.exp(fitted[name].log_likelihood(grid)).sum() * (side[1] - side[0]) ** 2
        assert abs(total - 1) < 0.03, (name, total)
    rbm = fitted["rbm"]
    states = (np.arange(2**12)[:, None] >> np.arange(12)) & 1
    assert math.isclose(np.logaddexp.reduce(-rbm.free_energy(states) - rbm.log_z), 0, abs_tol=1e-9)


def test_flow_inverts_itself(fitted):
    """Sampling maps base -> data and the likelihood maps data -> base: one undoes the other."""
    flow = fitted["flow"]
    z = torch.randn(100, 2, generator=torch.Generator().manual_seed(0))
    with torch.no_grad():
        assert torch.allclose(flow._to_code(flow._from_code(z)), z, atol=1e-5)


LATENT = ("flow", "autoencoder", "vae", "gan")


@pytest.mark.parametrize("name", list(baselines.MODELS))
def test_interpolation_walks_a_latent_space_or_says_why_not(fitted, points, name):
    model = fitted[name]
    if name not in LATENT:
        with pytest.raises(ValueError, match="cannot interpolate. Its latent space: none"):
            model.interpolate()
        return
    walk = model.interpolate(steps=5, seed=1)  # between two draws of the latent
    assert walk.shape == (5, 2) and np.isfinite(walk).all()
    assert np.array_equal(walk, model.interpolate(steps=5, seed=1))  # the seed fixes the two draws
    assert not np.array_equal(walk, model.interpolate(steps=5, seed=2))
    with pytest.raises(ValueError, match=r"steps must be an integer >= 2 \(it counts both ends\), got 1"):
        model.interpolate(steps=1)
    if not model.encodes:  # the GAN
        with pytest.raises(ValueError, match="no encoder"):
            model.interpolate(points[0], points[1])
        return
    path = model.interpolate(points[0], points[1], steps=3)
    with torch.no_grad():
        codes = model._encode(torch.as_tensor(points[:2]))
        assert np.allclose(path[1], model._decode(codes.mean(0, keepdim=True))[0], atol=1e-5)  # halfway
    if name == "flow":  # an exact inverse: the walk starts and ends on the points themselves
        assert np.allclose(path[[0, -1]], points[:2], atol=1e-4)
    with pytest.raises(ValueError, match="both ends"):
        model.interpolate(points[0])
    with pytest.raises(ValueError, match="a and b has 3 coordinates"):
        model.interpolate(np.zeros(3), np.zeros(3))


def test_latent_walks_and_pixel_blends_of_digits():
    from gan_edu import comparison, evaluator

    train, test = comparison.digits()
    blend = comparison.pixel_blends(test[:2], test[2:4], 3)
    assert torch.equal(blend[:, 0], test[:2]) and torch.allclose(blend[:, 1], (test[:2] + test[2:4]) / 2)
    ae = comparison.fit("autoencoder", train[:200], 5)
    assert comparison.latent_walks(ae, test[:2], test[2:4], 4).shape == (2, 4, 1, 8, 8)
    gan = baselines.make("gan", preset="dcgan_digits").fit(train[:200].flatten(1), 2)
    walks = comparison.latent_walks(gan, test[:2], test[2:4], 3)  # between noise draws, seed i
    assert walks.shape == (2, 3, 1, 8, 8) and not torch.equal(walks[0], walks[1])
    stats = evaluator.class_stats(test[:60])
    assert stats["confident"] == evaluator.report(test[:60], test)["confident"] > 0.5


def test_vae_importance_bound_is_above_the_elbo(fitted, points):
    vae = fitted["vae"]
    x = (torch.as_tensor(points[:200]) - vae.mean) / vae.scale
    torch.manual_seed(0)
    with torch.no_grad():
        elbo = vae.elbo(x).mean()
        iwae = torch.as_tensor(vae.log_likelihood(points[:200])).mean() + vae.scale.log().sum()
    assert iwae > elbo


def test_gray_codes_round_trip():
    bins = np.arange(64)[:, None].repeat(2, 1)
    bits = baselines._gray_bits(bins, 6)
    assert np.array_equal(baselines._from_gray(bits, 2, 6), bins)
    assert (np.abs(np.diff(bits[:, :6], axis=0)).sum(1) == 1).all()  # neighbours differ in one bit


def test_the_autoencoder_and_the_gan_define_no_density(fitted):
    assert fitted["autoencoder"].encode(np.zeros((3, 2))).shape == (3, 1)
    assert fitted["gan"].log_likelihood(np.zeros((3, 2))) is None
    assert fitted["diffusion"].evaluations == 50 and fitted["gan"].evaluations == 1


def test_a_model_that_misses_a_hook_cannot_be_made():
    """The contract is declared: without an abstract hook, or with a flag that promises an optional
    hook it does not write, or with no likelihood and no reason, a model cannot be made."""

    class NoSampler(baselines.Baseline):
        no_likelihood_reason = "a test model"

        def _fit(self, x, budget):
            pass

    with pytest.raises(TypeError, match="abstract method.*_sample"):
        NoSampler()

    class NoLoss(baselines.Neural):
        def _build(self, dim):
            return torch.nn.Linear(dim, dim)

        def _sample_standard(self, n):
            return torch.zeros(n, self.dim)

    with pytest.raises(TypeError, match="abstract method.*loss"):
        NoLoss()

    class Encodes(NoSampler):
        encodes = True

        def _sample(self, n, seed):
            return np.zeros((n, self.dim))

    with pytest.raises(TypeError, match=r"promise hooks it does not write: _encode \(encodes\)"):
        Encodes()

    class Walks(NoLoss):  # a latent to walk through, but no decoder (Neural's is _from_code)
        no_likelihood_reason, can_interpolate = "a test model", True

        def loss(self, batch):
            return batch.sum()

        def _latent_draws(self, n):
            return torch.zeros(n, 1)

    with pytest.raises(TypeError, match=r"_from_code \(can_interpolate\)"):
        Walks()
    with pytest.raises(TypeError, match="say why in no_likelihood_reason"):
        type("Silent", (Encodes,), {"encodes": False, "no_likelihood_reason": ""})()
    with pytest.raises(TypeError, match="likelihood must be one of"):
        type("Maybe", (Encodes,), {"encodes": False, "likelihood": "maybe"})()
    assert type("Plain", (Encodes,), {"encodes": False})().fit(np.zeros((3, 2)), 1).sample(2).shape == (2, 2)


@pytest.mark.parametrize("name", list(baselines.MODELS))
def test_every_model_keeps_its_flags_promises(fitted, points, name):
    model, cls = fitted[name], baselines.MODELS[name]
    assert cls.missing_hooks() == []
    for flags in (cls, model):  # the class, and the fitted model (an RBM with too many states has none)
        assert flags.likelihood in baselines.LIKELIHOODS
        assert flags.likelihood != "none" or flags.no_likelihood_reason
    if model.encodes:
        with torch.no_grad():
            codes = model.encode(points[:3])
            assert codes.shape[0] == 3 and model.decode(codes).shape == (3, 2)
    else:
        with pytest.raises(ValueError, match="has no encoder"):
            model.encode(points[:3])
    if model.can_interpolate:
        with torch.no_grad():
            assert model.decode(model._latent_draws(4)).shape == (4, 2)
    else:
        with pytest.raises(ValueError, match="has no decoder. Its latent space: none"):
            model.decode(np.zeros((2, 1)))


def test_image_rows_for_the_gan_the_rbm_and_dequantised_models():
    from gan_edu import images

    digits = images.load_digits("train").images[:200].flatten(1)
    gan = baselines.make("gan", preset="dcgan_digits").fit(digits, 2)
    assert gan.sample(5).shape == (5, 64) and gan.trainer.data.shape == (1, 8, 8)
    with pytest.raises(ValueError, match="rows of 64 numbers, not 2"):
        baselines.make("gan", preset="dcgan_digits").fit(np.zeros((10, 2)), 2)
    rbm = baselines.make("rbm", bits=1, hidden=8, gibbs=5, jitter=False).fit(digits, 5)
    x, lo, hi = rbm.sample(20), digits.min(0).values.numpy(), digits.max(0).values.numpy()
    assert (np.isclose(x, lo, atol=1e-4) | np.isclose(x, hi, atol=1e-4)).all()  # each pixel's min or max
    assert rbm.log_likelihood(digits[:3]) is None and "2**64" in rbm.no_likelihood_reason
    made = baselines.make("made", dequantise=2 / 16).fit(digits, 5)  # constant border pixels: no blow-up
    assert np.isfinite(made.log_likelihood(digits[:10])).all() and max(made.losses) < 1e4


def test_image_grids_wrap_into_rows():
    from gan_edu import plots

    grids = {str(i): torch.zeros(16, 1, 8, 8) for i in range(5)}
    fig = plots.image_grids(grids, columns=8, per_row=3)
    assert len(fig.axes) == 6 and not fig.axes[5].axison


def test_a_sampled_bound_is_the_same_on_every_call(fitted, points):
    """The VAE's importance-weighted bound samples its codes; the seed fixes them, whatever the
    global random state (notebook 11's stored table and its live run must agree)."""
    vae = fitted["vae"]
    first = vae.log_likelihood(points[:50])
    torch.randn(1000)
    assert np.array_equal(first, vae.log_likelihood(points[:50]))
    assert not np.array_equal(first, vae.log_likelihood(points[:50], seed=1))


def _all_states(n: int) -> np.ndarray:
    return ((np.arange(2**n)[:, None] >> np.arange(n)) & 1).astype(np.float64)


def test_bit_frequencies_add_half_a_count_to_each_outcome():
    v = np.array([[0, 1, 1], [0, 1, 0]])
    assert np.allclose(baselines.bit_frequencies(v), [0.5 / 3, 2.5 / 3, 1.5 / 3])


def test_an_rbm_normaliser_by_either_layer_and_by_ais():
    """rbm_log_z sums over the smaller layer; both directions equal the brute-force sum over every
    (v, h) pair, and AIS (notebook 11's estimate for 64 x 64 units) lands within 0.02 nats of it."""
    from types import SimpleNamespace

    rng = np.random.default_rng(0)
    for visible, hidden in ((5, 8), (8, 5)):
        w, b, c = rng.normal(0, 1, (hidden, visible)), rng.normal(0, 1, visible), rng.normal(0, 1, hidden)
        rbm = SimpleNamespace(components_=w, intercept_visible_=b, intercept_hidden_=c)
        v, h = _all_states(visible), _all_states(hidden)
        energy = (
            (v @ rbm.intercept_visible_)[:, None]
            + (h @ rbm.intercept_hidden_)[None]
            + v @ rbm.components_.T @ h.T
        )
        exact = np.logaddexp.reduce(energy.ravel())
        assert math.isclose(baselines.rbm_log_z(rbm), exact, abs_tol=1e-9)
        estimate, log_w = baselines.rbm_ais_log_z(rbm, np.zeros(visible), runs=200, betas=2000, seed=1)
        assert abs(estimate - exact) < 0.02 and log_w.shape == (200,)
    with pytest.raises(ValueError, match="at least 20 betas"):
        baselines.rbm_ais_log_z(rbm, np.zeros(visible), betas=10)
    with pytest.raises(ValueError, match="too many to enumerate"):
        big = SimpleNamespace(
            components_=np.zeros((21, 22)), intercept_visible_=np.zeros(22), intercept_hidden_=np.zeros(21)
        )
        baselines.rbm_log_z(big, layer_limit=20)


def test_binary_likelihoods_of_the_rbm_the_dbn_and_a_binary_made():
    """On 6 bits (points on a 3-bit grid) every model's probabilities can be summed: the binary MADE
    sums to 1 exactly, the DBN's bound stays below its exact log P(v), and the RBM's log_prob_bits with
    AIS's normaliser is its exact one up to AIS's error."""
    x = toy.get_dataset("ring").sample(400, torch.Generator().manual_seed(0)).numpy()
    dbn = baselines.make("dbn", bits=3, hidden=6, top=5, gibbs=5).fit(x, 200)
    states = _all_states(6)
    made = baselines.make("made", binary=True, width=16).fit(dbn.to_bits(x), 200)
    assert math.isclose(np.logaddexp.reduce(made.log_likelihood(states)), 0, abs_tol=1e-5)
    assert set(np.unique(made.sample(50))) <= {0.0, 1.0} and made.evaluations == 6
    assert abs(dbn.ais_log_z(betas=2000) - baselines.rbm_log_z(dbn.model)) < 0.02
    assert np.allclose(
        baselines.RBM.log_prob_bits(dbn, states, dbn.log_z), -dbn.free_energy(states) - dbn.log_z
    )
    # the DBN exactly: P(v) = sum_h P(v|h) P_top(h), with h over all 2**6 states of the first hidden layer
    h, m, t = _all_states(6), dbn.model, dbn.top_model
    log_z_top = baselines.rbm_log_z(t)
    log_p_h = (
        h @ t.intercept_visible_
        + np.logaddexp(0, h @ t.components_.T + t.intercept_hidden_).sum(1)
        - log_z_top
    )
    logits = h @ m.components_ + m.intercept_visible_
    log_p_v_h = states @ logits.T - np.logaddexp(0, logits).sum(1)[None]
    exact = np.logaddexp.reduce(log_p_v_h + log_p_h[None], axis=1)
    assert math.isclose(np.logaddexp.reduce(exact), 0, abs_tol=1e-9)
    bound = dbn.log_prob_bits(states, log_z_top, samples=2000)
    assert (bound <= exact + 0.05).all() and bound.mean() < exact.mean()
    with pytest.raises(ValueError, match="each 0 or 1"):
        dbn.log_prob_bits(states + 0.5, log_z_top)
    with pytest.raises(ValueError, match="must be 0s and 1s"):
        baselines.make("made", binary=True).fit(x, 2)
    with pytest.raises(ValueError, match="dequantise=0"):
        baselines.make("made", binary=True, dequantise=0.1).fit(states, 2)


def test_the_comparison_handles_both_image_sizes(tmp_path):
    """Notebook 11's helpers work for the 8 x 8 digits and the 28 x 28 Fashion-MNIST images alike:
    rows back to images, one level's width for dequantising and for bits per pixel, and the equal
    time budget read from the stored rates (with a clear error when they are missing)."""
    import json

    from gan_edu import comparison

    for side, levels in ((8, 17), (28, 256)):
        x = torch.linspace(-1, 1, levels)[torch.randint(levels, (5, 1, side, side))]
        assert comparison.as_images(x.flatten(1)).shape == (5, 1, side, side)
        noise = comparison.dequantise(x, 0) - x.flatten(1)
        assert (
            noise.abs().max() <= comparison.LEVELS[side] / 2
            and noise.abs().max() > comparison.LEVELS[side] / 3
        )
        # a uniform density over [-1, 1]: log2(2 / level) = log2(levels - 1) bits per pixel
        uniform = np.full(5, side * side * math.log(1 / 2))
        assert math.isclose(
            comparison.bits_per_dim(uniform, side * side), math.log2(levels - 1), rel_tol=1e-9
        )
    with pytest.raises(ValueError, match="not square images"):
        comparison.as_images(np.zeros((2, 10)))
    rates = tmp_path / "rates.json"
    rates.write_text(json.dumps({"seconds_per_update": {"vae": 0.01, "gan": 0.05}}))
    assert comparison.fashion_updates(45, rates) == {"vae": 4500, "gan": 900}
    assert set(comparison.fashion_updates()) == set(comparison.FASHION_OPTIONS)  # the stored rates
    with pytest.raises(FileNotFoundError, match="bench/fashion_rates.py"):
        comparison.fashion_updates(45, tmp_path / "missing.json")


def test_diffusion_with_clipping_ends_inside_the_pixel_range():
    """clip=True takes every sampling step through the clean-image guess clipped to [-1, 1]; the
    last step returns that guess, so samples end inside the range. It needs the data as given."""
    x = torch.rand(300, 4) * 2 - 1
    model = baselines.make("diffusion", steps=50, clip=True, standardise=False, width=16).fit(x, 20)
    s = model.sample(100)
    assert np.isfinite(s).all() and s.min() >= -1 and s.max() <= 1 and s.std() > 0.05
    with pytest.raises(ValueError, match="needs standardise=False"):
        baselines.make("diffusion", clip=True)


def test_the_u_net_maps_rows_of_images_to_rows_of_the_same_size():
    for shape in ((1, 28, 28), (1, 8, 8)):
        net = baselines.UNet(shape, width=16)
        x = torch.randn(3, math.prod(shape))
        assert net(x, torch.rand(3)).shape == x.shape
    with pytest.raises(ValueError, match="multiple of 8"):
        baselines.UNet((1, 8, 8), width=12)


def test_a_convolutional_diffusion_model_samples_images_by_ddpm_and_by_ddim():
    x = torch.rand(64, 64) * 2 - 1  # 64 "images" of 8 x 8 pixels in [-1, 1]
    model = baselines.make("diffusion", net="unet", shape=(1, 8, 8), width=8, steps=20, standardise=False,
                           clip=True, batch_size=16, ema=0.9).fit(x, 3)  # fmt: skip
    assert model.evaluations == 20 and model.sample(4).shape == (4, 64)
    assert model.sampling("ddim", 5).evaluations == 5
    s = model.sample(4, seed=1)
    assert s.shape == (4, 64) and s.min() >= -1 and s.max() <= 1
    assert np.array_equal(s, model.sample(4, seed=1))  # DDIM is deterministic given the noise
    with pytest.raises(ValueError, match="needs the images' shape"):
        baselines.make("diffusion", net="unet")
    with pytest.raises(ValueError, match="sampler must be one of"):
        model.sampling("euler")
    with pytest.raises(ValueError, match="between 1 and the 20 steps"):
        model.sampling("ddim", 21)
    with pytest.raises(ValueError, match="shape .* has 784 values, the data 64"):
        baselines.make("diffusion", net="unet", shape=(1, 28, 28)).fit(x, 1)


def test_the_weights_average_samples_and_the_last_weights_are_kept():
    x = toy.get_dataset("ring").sample(200, torch.Generator().manual_seed(0))
    model = baselines.make("flow_matching", ema=0.9, sample_steps=4).fit(x, 20)
    last, average = (torch.nn.utils.parameters_to_vector(m.parameters()) for m in (model.trained, model.nets))
    assert not torch.equal(last, average) and model.evaluations == 4
    with pytest.raises(ValueError, match=r"in \[0, 1\)"):
        baselines.make("vae", ema=1.0)


def test_the_linear_denoiser_is_the_best_linear_guess_and_samples_the_datas_gaussian():
    """The closed-form reference: its expected loss is training's loss on Gaussian data, and DDIM
    with it turns noise into samples with the data's covariance (the Gaussian fit of the data)."""
    g = torch.Generator().manual_seed(0)
    mix = torch.tensor([[2.0, 0.0, 0.0], [1.2, 0.5, 0.0], [0.3, -0.4, 0.2]])
    x = torch.randn(20000, 3, generator=g) @ mix.T + torch.tensor([1.0, -2.0, 0.5])
    model = baselines.make("diffusion", net="linear", standardise=False, sampler="ddim", sample_steps=100)
    model.fit(x, 1)
    assert model.losses == [] and model.evaluations == 100
    with torch.random.fork_rng():
        torch.manual_seed(0)
        z = x[:4000]
        empirical = sum(model.loss(z).item() for _ in range(200)) / 200
    assert abs(empirical - model.nets.expected_loss()) < 0.01
    s = torch.as_tensor(model.sample(20000))
    assert torch.allclose(s.mean(0), x.mean(0), atol=0.05)
    assert torch.allclose(torch.cov(s.T), torch.cov(x.T), atol=0.1, rtol=0.05)
    with pytest.raises(ValueError, match="net must be one of"):
        baselines.make("flow_matching", net="linear")
