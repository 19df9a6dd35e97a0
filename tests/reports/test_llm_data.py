"""LLM-like data (reports/llm_data.py): shapes, seeds, and the features each parameter promises."""

import numpy as np
import pytest

from arithbench.errors import UsageError
from arithbench.reports import block_error, llm_data


def test_weights_shape_seed_and_tails():
    w = llm_data.weights(512, 1024, seed=3)
    assert w.shape == (512, 1024) and np.array_equal(w, llm_data.weights(512, 1024, seed=3))
    assert not np.array_equal(w, llm_data.weights(512, 1024, seed=4))
    row_std = w.std(axis=1) * np.sqrt(1024)  # the per-output-channel scales, s_i
    assert 0.4 < np.log(row_std).std() < 0.6  # channel_sigma 0.5
    z = (w / w.std(axis=1, keepdims=True)).ravel()
    # Student t, 5 degrees of freedom, at unit variance: P(|z| > 4) = P(|t5| > 5.16) = 0.0036 (N(0,1): 6.3e-5)
    assert 0.0025 < np.mean(np.abs(z) > 4) < 0.005
    g = llm_data.weights(512, 1024, seed=3, tail_df=None, channel_sigma=0.0) * np.sqrt(1024)
    assert np.mean(np.abs(g) > 4) < 2e-4 and abs(g.std() - 1) < 0.01


def test_activations_have_fixed_outlier_channels_20_to_100_times_the_rest():
    x = llm_data.activations(256, 4096, seed=1)
    channels, factors = llm_data.outlier_channels(4096, seed=1)
    assert len(channels) == 4  # 0.1% of 4096
    assert np.all((factors >= 20) & (factors <= 100))
    rms = np.sqrt(np.mean(x**2, axis=0))
    rest = np.delete(rms, channels)
    assert np.all(rms[channels] > 15 * rest.max())
    assert set(np.argsort(rms)[-4:]) == set(channels.tolist())
    assert len(llm_data.outlier_channels(64, seed=1)[0]) == 1  # at least one


def test_kcache_is_the_block_studys_data():
    keys, queries = llm_data.kcache(32, 128, seed=5)
    ref_keys, ref_queries = block_error.make_data("outliers", 32, 128, 5)
    assert np.array_equal(keys, ref_keys) and np.array_equal(queries, ref_queries)


def test_generate_by_name():
    for name in llm_data.DATASETS:
        x = llm_data.generate(name, (16, 64), seed=2)
        assert x.shape == (16, 64) and np.isfinite(x).all()
    with pytest.raises(UsageError):
        llm_data.generate("tokens", (16, 64))
    with pytest.raises(UsageError):
        llm_data.weights(0, 64)
    with pytest.raises(UsageError):
        llm_data.weights(4, 64, tail_df=1.5)
