"""RangeTree against NumPy on fresh random factors: every strategy, updates, the tensor
tree of Theorem 1.13, and bad ranges named."""
import numpy as np
import pytest

import rankflow


def reference(left, right, l, h, x):
    return sum(left[i].astype(np.float64) @ (right[i].astype(np.float64).T @ x) for i in range(l, h + 1))


@pytest.mark.parametrize("strategy", ["auto", "tree", "sum", "fly", "prefix"])
def test_every_strategy_answers_as_numpy(rng, strategy):
    m, d, r, n = 37, 12, 3, 5
    a = rng.standard_normal((m, d, r)).astype(np.float32)
    b = rng.standard_normal((m, d, r)).astype(np.float32)
    x = rng.standard_normal((d, n)).astype(np.float32)
    tree = rankflow.RangeTree(a, b)
    assert (tree.count, tree.rows, tree.cols, tree.rank) == (m, d, d, r)
    for l, h in [(0, m - 1), (5, 5), (3, 30), (36, 36)]:
        y, used = tree.query(l, h, x, strategy=strategy)
        expected = reference(a, b, l, h, x.astype(np.float64))
        assert y.shape == (d, n)
        np.testing.assert_allclose(y, expected, atol=1e-4 * np.abs(expected).max())
        assert used in ("tree", "sum", "fly", "prefix")
        if strategy != "auto":
            assert used == strategy


def test_update_replaces_a_pair_and_the_tensor_tree_sums_fibres(rng):
    m, d, r = 9, 4, 2
    a, b, c = (rng.standard_normal((m, d, r)).astype(np.float32) for _ in range(3))
    x = rng.standard_normal((d, 3)).astype(np.float32)
    tree = rankflow.RangeTree(a, b)
    a2, b2 = rng.standard_normal((d, r)).astype(np.float32), rng.standard_normal((d, r)).astype(np.float32)
    tree.update(4, a2, b2)
    a[4], b[4] = a2, b2
    y, _ = tree.query(2, 7, x, strategy="tree")
    np.testing.assert_allclose(y, reference(a, b, 2, 7, x.astype(np.float64)), atol=1e-4)
    # Tensor tree: row i*d + j of the answer is sum_k sum_s A_k[i,s] B_k[j,s] (C_k^T X)[s, :].
    tensor = rankflow.RangeTree(a, b, c)
    y, _ = tensor.query(0, m - 1, x, strategy="fly")
    expected = np.einsum("kis,kjs,ksn->ijn", a, b, np.einsum("kqs,qn->ksn", c, x)).reshape(d * d, 3)
    np.testing.assert_allclose(y, expected, atol=1e-3 * np.abs(expected).max())


def test_bad_ranges_and_shapes_are_named(rng):
    tree = rankflow.RangeTree(np.ones((4, 3, 2)), np.ones((4, 3, 2)))
    x = np.ones((3, 2), dtype=np.float32)
    with pytest.raises(ValueError):
        tree.query(3, 1, x)
    with pytest.raises(ValueError):
        tree.query(0, 4, x)
    with pytest.raises(ValueError, match="x: expected shape"):
        tree.query(0, 1, np.ones(3))
    with pytest.raises(ValueError, match="a: expected shape"):
        rankflow.RangeTree(np.ones((3, 2)), np.ones((4, 3, 2)))
    with pytest.raises(ValueError, match="i: 0..3"):
        tree.update(7, np.ones((3, 2)), np.ones((3, 2)))
    with pytest.raises(ValueError):
        tree.query(0, 1, x, strategy="fastest")
