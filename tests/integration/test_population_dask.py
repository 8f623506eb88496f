"""Local process pool and a Dask distributed cluster give the same numbers as one process."""

import numpy as np
import pytest

from mgbrain.population import PopulationDesign, PopulationRegimen, run_population
from mgbrain.testing import assert_close_relative

distributed = pytest.importorskip("distributed")

DESIGN = PopulationDesign(n=16, seed=11, days=2, regimen=PopulationRegimen(jitter_h=0.25, adherence=0.9))


@pytest.fixture(scope="module")
def reference():
    return run_population(DESIGN, chunk_size=16, workers=1)


def _same(a, b):
    for k in a.data_vars:
        x, y = a[k].values, b[k].values
        if x.dtype.kind == "f":
            fin = np.isfinite(x)
            assert np.array_equal(np.isfinite(y), fin), k
            assert_close_relative(y[fin], x[fin], rtol=1e-12, floor=1e-300)
        else:
            np.testing.assert_array_equal(x, y)


def test_dask_cluster_matches_in_process(reference):
    with distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True, host="127.0.0.1",
                                  dashboard_address=None) as cluster:
        ds = run_population(DESIGN, chunk_size=5, scheduler=cluster.scheduler_address)
    _same(reference, ds)


def test_process_pool_matches_in_process(reference):
    _same(reference, run_population(DESIGN, chunk_size=7, workers=2))
