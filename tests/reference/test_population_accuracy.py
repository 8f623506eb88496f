"""Population tolerances (POPULATION_OPTIONS) against a tight-tolerance run of the same subjects:
daily serum, ionized and CSF Mg within 1e-5 relative, for the daily regimen (replayed days) and
for jittered, partly missed doses (days integrated in full)."""

import numpy as np
import pytest

from mgbrain.population.regimens import PopulationRegimen
from mgbrain.population.run import POPULATION_OPTIONS, PopulationDesign, run_population
from mgbrain.solver.batch import BatchOptions

OUTPUTS = ("serum_mmol_per_l", "ionized_mmol_per_l", "csf_mmol_per_l")
TIGHT = BatchOptions(rtol=1e-10, atol=1e-12)


@pytest.mark.parametrize("regimen", [PopulationRegimen(), PopulationRegimen(jitter_h=1.0, adherence=0.8)],
                         ids=["daily", "jitter_adherence"])
def test_population_tolerances_keep_daily_outputs_within_1e_5(regimen):
    def run(options):
        return run_population(PopulationDesign(n=24, seed=11, days=84, regimen=regimen, outputs=OUTPUTS,
                                               options=options))
    fast, ref = run(POPULATION_OPTIONS), run(TIGHT)
    assert (fast["status"] == 0).all() and (ref["status"] == 0).all()
    for name in OUTPUTS:
        rel = np.abs(fast[name] - ref[name]) / np.abs(ref[name])
        assert float(rel.max()) <= 1e-5, name
