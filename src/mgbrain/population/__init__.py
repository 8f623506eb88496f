"""Virtual populations: covariates, variability, per-subject regimens, chunked runs."""

from mgbrain.population.covariates import load_covariate_table, sample_covariates
from mgbrain.population.regimens import PopulationRegimen, dose_events
from mgbrain.population.run import DEFAULT_OUTPUTS, POPULATION_OPTIONS, PopulationDesign, run_population
from mgbrain.population.variability import Variability, load_variability, sample_parameters

__all__ = ["load_covariate_table", "sample_covariates", "PopulationRegimen", "dose_events",
           "DEFAULT_OUTPUTS", "POPULATION_OPTIONS", "PopulationDesign", "run_population",
           "Variability", "load_variability", "sample_parameters"]
