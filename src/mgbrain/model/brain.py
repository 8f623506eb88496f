"""Brain delivery, the threonate mechanism and pharmacodynamics, declared once on top of
:data:`~mgbrain.model.whole_body.WHOLE_BODY` with :meth:`ModelSpec.extended`.

Layers added (amounts in mmol, time in h; threonate and PD fluxes are not Mg)::

    oral MgT ─► gut_threonate ──F, ka──► plasma_threonate ◄── endogenous production
                      │ (1 - F)                 │ elimination (t1/2 2.5 h, Wang 2011)
                      ▼                         ▼▲ exchange
                   feces                    csf_threonate
    plasma Mg ──choroid-plexus entry × (1 + Emax_BBB · Δocc(plasma threonate))──► csf Mg
    brain ISF Mg ──uptake × (1 + Emax_neuron · occ(CSF threonate)) (GLUTs, Sun 2016)──► neuron Mg
    neuron Mg / reference ──stimulates production──► synapse_index (turnover of weeks)
    synapse_index − 1 ──► cognition drug effect (z);  neuron Mg / reference − 1 ──► sleep effect

Occupancies are hyperbolic, ``occ = C / (EC50 + C)``. The blood-CSF enhancement acts on the
threonate *excess* over its endogenous level, so the whole-body CSF calibration (V18, V19) is
unchanged by the layer; the neuronal enhancement includes the small baseline effect of
endogenous CSF threonate (the uptake constant is derived so that neuronal Mg sits at its
reference at the reference CSF level). ``steady_<species>`` assignments give each new species
its closed-form steady state, which :func:`mgbrain.solver.steady_state` reads generically.

The observation model of the virtual trials (placebo/practice response, between-subject and
residual variability, instrument loadings, the cognitive-age slope) is declared here as
parameters too, so that one parameter set with provenance carries the whole chain; those
parameters appear in no flux.
"""

from __future__ import annotations

from mgbrain.model.spec import Assignment, Flux, ParameterSpec, Species
from mgbrain.model.whole_body import WHOLE_BODY

__all__ = ["BRAIN", "BRAIN_SPECIES", "OBSERVATION_PARAMETERS"]

LN2 = "0.6931471805599453"

_species = (
    Species("gut_threonate", "gut", "threonate released from MgT in the gut lumen (not Mg)"),
    Species("plasma_threonate", "plasma", "threonate in plasma/ECF (not Mg)"),
    Species("csf_threonate", "csf", "threonate in CSF (not Mg)"),
    Species("neuron", "brain", "free intracellular Mg of brain cells (exchanges with brain ISF)", slow=True),
    Species("synapse_index", "brain", "NR2B / functional synapse density, 1 = baseline", unit="1", slow=True),
)
BRAIN_SPECIES = tuple(s.name for s in _species)

P = ParameterSpec
_parameters = (
    # threonate pharmacokinetics
    P("thr_fraction_absorbed", "1", 0.01, 1.0, "fraction of oral threonate reaching plasma"),
    P("t_half_thr_abs_h", "h", 0.05, 10.0, "threonate absorption half-time"),
    P("t_half_thr_plasma_h", "h", 0.2, 24.0, "plasma threonate elimination half-life"),
    P("v_thr_l_per_kg", "L/kg", 0.05, 1.5, "threonate distribution volume"),
    P("thr_plasma_endogenous_mmol_per_l", "mmol/L", 1e-4, 0.5, "endogenous plasma threonate"),
    P("thr_csf_plasma_ratio", "1", 0.01, 5.0, "steady-state CSF / plasma threonate ratio"),
    P("t_half_thr_csf_h", "h", 0.2, 48.0, "CSF threonate exchange half-time"),
    P("ec50_thr_mmol_per_l", "mmol/L", 1e-3, 10.0, "threonate level at half-maximal transport enhancement"),
    P("emax_bbb_thr", "1", 0.0, 20.0, "maximal relative enhancement of blood-CSF Mg entry by threonate"),
    P("emax_neuron_thr", "1", 0.0, 20.0, "maximal relative enhancement of neuronal Mg uptake by threonate"),
    # neuronal Mg
    P("v_neuron_l", "L", 0.1, 2.0, "brain intracellular water"),
    P("neuron_free_mmol_per_l", "mmol/L", 0.1, 2.0, "free intracellular Mg of brain cells at reference"),
    P("t_half_neuron_h", "h", 0.5, 500.0, "turnover half-life of neuronal free Mg"),
    # synapse / NR2B
    P("t_half_synapse_h", "h", 24.0, 20000.0, "turnover half-life of the synapse index"),
    P("synapse_gain", "1", 0.0, 10.0, "relative synapse-index rise per relative neuronal Mg rise (steady state)"),
    # effects
    P("cognition_gain_z", "1", 0.0, 100.0, "cognition composite (baseline SD units) per unit synapse-index change"),
    P("age_years", "year", 18.0, 100.0, "age (covariate)"),
    P("cognition_age_ref_years", "year", 18.0, 100.0, "age at which the cognition gain applies unscaled"),
    P("cognition_age_log_gain_per_decade", "1", -2.0, 2.0, "log change of the cognition gain per decade of age"),
    P("sleep_gain", "1", 0.0, 1000.0, "latent sleep effect (deep-sleep score SD units) per relative neuronal Mg rise"),
)

#: Parameters of the virtual-trial observation model (no flux uses them).
_observation = (
    P("cog_residual_sd_z", "1", 0.05, 2.0, "within-subject residual SD of the cognition composite"),
    P("cog_placebo_max_z", "1", -1.0, 2.0, "mean placebo/practice gain of the composite at plateau"),
    P("cog_placebo_t_half_h", "h", 1.0, 5000.0, "half-time of the practice/placebo gain"),
    P("cog_placebo_sd_z", "1", 0.0, 2.0, "between-subject SD of the placebo/practice gain"),
    P("cog_response_cv", "1", 0.0, 3.0, "between-subject CV (lognormal) of the drug effect"),
    P("deep_sleep_residual_sd", "1", 0.05, 3.0, "residual SD, wearable deep-sleep score (its baseline SD units)"),
    P("deep_sleep_placebo_mean", "1", -2.0, 2.0, "mean placebo change, deep-sleep score"),
    P("deep_sleep_placebo_sd", "1", 0.0, 3.0, "between-subject SD of the placebo change, deep-sleep score"),
    P("rem_sleep_loading", "1", 0.0, 5.0, "REM-score effect per unit latent sleep effect"),
    P("psqi_loading", "1", 0.0, 5.0, "questionnaire (PSQI) effect per unit latent sleep effect, its SD units"),
    P("psqi_residual_sd", "1", 0.05, 3.0, "residual SD of the sleep questionnaire (its baseline SD units)"),
    P("psqi_placebo_mean", "1", -2.0, 3.0, "mean placebo improvement on the sleep questionnaire"),
    P("psqi_placebo_sd", "1", 0.0, 3.0, "between-subject SD of the placebo improvement on the questionnaire"),
)
OBSERVATION_PARAMETERS = tuple(p.name for p in _observation)

_assignments = (
    # threonate
    Assignment("thr_v_l", "v_thr_l_per_kg * weight_kg", "L", "threonate distribution volume"),
    Assignment("plasma_threonate_mmol_per_l", "plasma_threonate / thr_v_l", "mmol/L", "plasma threonate"),
    Assignment("csf_threonate_mmol_per_l", "csf_threonate / v_csf_l", "mmol/L", "CSF threonate"),
    Assignment("k_thr_abs", f"{LN2} / t_half_thr_abs_h", "1/h", "threonate absorption rate constant"),
    Assignment("k_thr_gut_loss", "k_thr_abs * (1 - thr_fraction_absorbed) / thr_fraction_absorbed", "1/h",
               "unabsorbed threonate leaving the gut (so that F is absorbed)"),
    Assignment("k_thr_el", f"{LN2} / t_half_thr_plasma_h", "1/h", "threonate elimination rate constant"),
    Assignment("k_thr_csf", f"{LN2} / t_half_thr_csf_h", "1/h", "CSF threonate exchange rate constant"),
    Assignment("thr_csf_endogenous_mmol_per_l", "thr_csf_plasma_ratio * thr_plasma_endogenous_mmol_per_l",
               "mmol/L", "endogenous CSF threonate"),
    Assignment("thr_occ_plasma", "plasma_threonate_mmol_per_l / (ec50_thr_mmol_per_l + plasma_threonate_mmol_per_l)",
               "1", "transport occupancy by plasma threonate"),
    Assignment("thr_occ_plasma_endogenous",
               "thr_plasma_endogenous_mmol_per_l / (ec50_thr_mmol_per_l + thr_plasma_endogenous_mmol_per_l)",
               "1", "occupancy at the endogenous plasma level"),
    Assignment("thr_occ_csf", "csf_threonate_mmol_per_l / (ec50_thr_mmol_per_l + csf_threonate_mmol_per_l)",
               "1", "neuronal transport occupancy by CSF threonate"),
    Assignment("thr_occ_csf_endogenous",
               "thr_csf_endogenous_mmol_per_l / (ec50_thr_mmol_per_l + thr_csf_endogenous_mmol_per_l)",
               "1", "occupancy at the endogenous CSF level"),
    # neuronal Mg
    Assignment("neuron_ref_mmol", "v_neuron_l * neuron_free_mmol_per_l", "mmol", "neuronal free Mg at reference"),
    Assignment("k_neuron_out", f"{LN2} / t_half_neuron_h", "1/h", "neuronal Mg efflux rate constant"),
    Assignment("k_neuron_in",
               "k_neuron_out * neuron_ref_mmol / (csf_ref_mmol_per_l * (1 + emax_neuron_thr * thr_occ_csf_endogenous))",
               "L/h", "neuronal uptake clearance (reference steady state incl. endogenous threonate)"),
    Assignment("neuron_mmol_per_l", "neuron / v_neuron_l", "mmol/L", "neuronal free Mg"),
    Assignment("neuron_rel", "neuron / neuron_ref_mmol", "1", "neuronal Mg relative to reference"),
    # pharmacodynamics
    Assignment("k_synapse", f"{LN2} / t_half_synapse_h", "1/h", "synapse-index turnover rate constant"),
    Assignment("cognition_drug_effect_z",
               "cognition_gain_z * exp(cognition_age_log_gain_per_decade * (age_years - cognition_age_ref_years) / 10)"
               " * (synapse_index - 1)", "1", "drug effect on the cognition composite (baseline SD units)"),
    Assignment("sleep_latent_effect", "sleep_gain * (neuron_rel - 1)", "1",
               "latent sleep effect in deep-sleep-score SD units"),
    # closed-form steady states, read by the solver to start every species at its own steady state
    Assignment("steady_plasma_threonate", "thr_v_l * thr_plasma_endogenous_mmol_per_l", "mmol",
               "steady state: endogenous production = elimination"),
    Assignment("steady_csf_threonate", "v_csf_l * thr_csf_endogenous_mmol_per_l", "mmol",
               "steady state of CSF threonate"),
    Assignment("steady_neuron",
               "k_neuron_in * brain_isf_mmol_per_l * (1 + emax_neuron_thr * thr_occ_csf) / k_neuron_out", "mmol",
               "steady state: uptake = efflux at the current interstitial levels"),
    Assignment("steady_synapse_index", "1 + synapse_gain * (neuron_rel - 1)", "1",
               "steady state: production = loss at the current neuronal Mg"),
)

_fluxes = (
    Flux("thr_absorption", "gut_threonate", "plasma_threonate", "k_thr_abs * gut_threonate",
         "threonate absorption", magnesium=False),
    Flux("thr_gut_loss", "gut_threonate", None, "k_thr_gut_loss * gut_threonate",
         "unabsorbed threonate (stool, gut metabolism)", magnesium=False),
    Flux("thr_endogenous", None, "plasma_threonate", "k_thr_el * thr_v_l * thr_plasma_endogenous_mmol_per_l",
         "endogenous threonate (ascorbate catabolism)", magnesium=False),
    Flux("thr_elimination", "plasma_threonate", None, "k_thr_el * plasma_threonate",
         "threonate elimination (renal and metabolic)", magnesium=False),
    Flux("thr_csf_entry", "plasma_threonate", "csf_threonate",
         "k_thr_csf * thr_csf_plasma_ratio * v_csf_l * plasma_threonate_mmol_per_l",
         "threonate entry into CSF", magnesium=False),
    Flux("thr_csf_exit", "csf_threonate", "plasma_threonate", "k_thr_csf * csf_threonate",
         "threonate leaving CSF", magnesium=False),
    Flux("csf_entry_threonate", "plasma", "csf",
         "choroid_entry_mmol_per_h * emax_bbb_thr * (thr_occ_plasma - thr_occ_plasma_endogenous)",
         "extra blood-CSF Mg entry with threonate above its endogenous level (assumed mechanism)"),
    Flux("neuron_uptake", "brain_isf", "neuron",
         "k_neuron_in * brain_isf_mmol_per_l * (1 + emax_neuron_thr * thr_occ_csf)",
         "neuronal Mg uptake, enhanced by threonate via GLUTs (Sun 2016)"),
    Flux("neuron_efflux", "neuron", "brain_isf", "k_neuron_out * neuron", "neuronal Mg efflux"),
    Flux("synapse_production", None, "synapse_index", "k_synapse * (1 + synapse_gain * (neuron_rel - 1))",
         "synapse formation / NR2B expression stimulated by neuronal Mg", magnesium=False),
    Flux("synapse_loss", "synapse_index", None, "k_synapse * synapse_index", "synapse turnover",
         magnesium=False),
)

BRAIN = WHOLE_BODY.extended("mgbrain_brain", species=_species, parameters=_parameters + _observation,
                            assignments=_assignments, fluxes=_fluxes)
