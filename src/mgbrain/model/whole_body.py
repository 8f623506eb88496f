"""Whole-body magnesium kinetics (model v2), declared once.

Compartments (amounts in mmol, time in h)::

    oral dose ─► gut_solid_{soluble,slightly,poorly} ──dissolution──► lumen_supplement_1..8
                                                           meals ──► lumen_diet_1..8, meal_chyme
        transit (slowed by meals, sped by unabsorbed Mg) │         │ transcellular (saturable in
                                                          ▼         │ luminal concentration)
        feces_supplement, feces_diet ◄────────────────────┘         │ + paracellular
                                                                    ▼
    feces_endogenous ◄── endogenous secretion ── plasma (ECF) ◄─────┘   ◄── IV bolus / infusion
                                                  │  total = ionized + complexed + albumin-bound
          rapid_pool ◄──── ionized, minutes-hours ─┤
          tissue ◄──────── ionized^ε, days ────────┤ (inflow nearly independent of serum)
          bone_surface ◄── mass action, Langmuir ──┤──► deep_bone (remodelling only, years)
          urine ◄──────── filtration − reabsorption (tubular maximum with a sharp knee) ─┤
          csf ◄── choroid plexus (saturable) + passive leak; bulk flow out ─┤ ◄──► brain_isf

Design choices, each with its source in the parameter files:

* **Gut (feed-forward).** The absorptive gut is a chain of ``N_GUT_SEGMENTS`` transit
  compartments, kept separately for supplement and dietary Mg so that each source's absorbed
  fraction is exact. The saturable (TRPM6/7) route depends on the luminal *concentration*:
  each meal adds one unit of ``meal_chyme``, which raises the luminal volume (dilution) and
  slows transit; unabsorbed Mg speeds transit (osmotic laxation). Paracellular uptake is first
  order in the luminal amount (concentration times the wetted volume, i.e. solvent drag with the
  water absorbed). Endogenous secretion is a plasma -> faeces flux, so the gut never depends on
  the body; true absorption (lumen -> plasma) and net absorption (true minus endogenous faecal
  Mg) are both computed.
* **Plasma.** Ionized Mg follows from mass action with albumin (binding sites x albumin,
  dissociation constant) and a complexed fraction proportional to ionized Mg; the closed form
  is the positive root of a quadratic. ``plasma`` is the ECF pool; its concentration is serum
  total Mg.
* **Pools.** The rapid pool exchanges in proportion to ionized Mg; the exchangeable soft-tissue
  pool has an inflow that depends only weakly on ionized Mg (exponent ``tissue_inflow_exponent``),
  so tracer turnover and buffering are separate; the bone surface binds Mg by mass action
  (Langmuir sites, saturation at the reference level sets the buffering, the off-rate the
  tracer exchange); deep bone exchanges through remodelling only. Soft-tissue Mg that does not
  exchange on these time scales is a constant, ``fixed_soft_tissue_mmol``.
* **Kidney.** Filtered load is GFR x ultrafilterable Mg. Reabsorption is the smooth minimum of
  a demand (all but ``fe_min`` of the filtered load) and a tubular maximum in ultrafilterable
  terms that scales with GFR and falls as ultrafilterable Mg rises (``renal_tm_exponent``: the
  calcium-sensing receptor of the thick ascending limb), with a sharp knee. Loop and thiazide
  diuretics block the thick-ascending-limb and distal shares of reabsorption.
* **CSF.** Choroid-plexus entry is saturable in plasma ionized Mg (nearly saturated at normal
  serum), a passive leak follows the ionized gradient, bulk flow carries CSF Mg out, and CSF
  exchanges with the brain interstitial fluid by diffusion.

Every body species declares a closed-form ``steady_<species>`` as a function of plasma, which
the steady-state start (:mod:`mgbrain.solver.steady`) reads generically.
"""

from __future__ import annotations

from mgbrain.model.spec import Assignment, Flux, ModelSpec, ParameterSpec, Species

__all__ = ["WHOLE_BODY", "SOLID_SPECIES", "DISSOLUTION_CLASSES", "LUMEN_SPECIES", "N_GUT_SEGMENTS",
           "BODY_LOSS_SINKS", "SLOW_POOLS", "MEAL_SPECIES"]

DISSOLUTION_CLASSES = ("soluble", "slightly", "poorly")
SOLID_SPECIES = {c: f"gut_solid_{c}" for c in DISSOLUTION_CLASSES}
#: The absorptive gut is a chain of segments (transit compartments), so that an oral load has
#: a bounded absorption window; one well-mixed lumen has an exponential tail during which the
#: saturable transporter keeps absorbing.
N_GUT_SEGMENTS = 8
SOURCES = ("supplement", "diet")
LUMEN_SPECIES = {src: tuple(f"lumen_{src}_{k}" for k in range(1, N_GUT_SEGMENTS + 1)) for src in SOURCES}
#: Each meal adds one unit here (the chyme it brings into the absorptive gut).
MEAL_SPECIES = "meal_chyme"
#: Sinks fed from plasma: a steady state balances their inflow against true absorption.
BODY_LOSS_SINKS = ("urine", "feces_endogenous")

_species = (
    *(Species(SOLID_SPECIES[c], "gut", f"undissolved Mg of {c} salts in the gut lumen")
      for c in DISSOLUTION_CLASSES),
    *(Species(name, "gut", f"dissolved {src} Mg in gut segment {k + 1} of {N_GUT_SEGMENTS}")
      for src in SOURCES for k, name in enumerate(LUMEN_SPECIES[src])),
    Species(MEAL_SPECIES, "gut", "meals' chyme in the absorptive gut (1 = one meal)", unit="1"),
    Species("plasma", "plasma", "Mg in plasma and interstitial fluid (ECF), total incl. protein-bound"),
    Species("rapid_pool", "tissue", "rapidly exchanging cellular Mg (buffers IV loads within hours)"),
    Species("tissue", "tissue", "exchangeable intracellular Mg of soft tissues (turnover of days)", slow=True),
    Species("bone_surface", "bone", "Mg bound at bone surfaces (mass action with ionized Mg)", slow=True),
    Species("deep_bone", "bone", "Mg in bone mineral, exchanged by remodelling only", slow=True),
    Species("csf", "csf", "Mg in cerebrospinal fluid (total)"),
    Species("brain_isf", "csf", "Mg in brain interstitial fluid (total)"),
    Species("urine", "sink", "cumulative urinary Mg", cumulative=True),
    Species("feces_supplement", "sink", "cumulative unabsorbed supplement Mg", cumulative=True),
    Species("feces_diet", "sink", "cumulative unabsorbed dietary Mg", cumulative=True),
    Species("feces_endogenous", "sink", "cumulative endogenous faecal Mg (secreted from plasma)", cumulative=True),
)

#: Pools too slow to follow the meal swings within a day (``Species.slow``: set from the day's mean state).
SLOW_POOLS = tuple(s.name for s in _species if s.slow)

P = ParameterSpec
_parameters = (
    # covariates
    P("weight_kg", "kg", 2.0, 300.0, "body weight"),
    P("egfr_ml_min", "mL/min", 0.0, 200.0, "glomerular filtration rate (eGFR used as GFR)"),
    P("albumin_g_per_l", "g/L", 10.0, 60.0, "serum albumin"),
    P("loop_diuretic_block", "1", 0.0, 1.0, "fraction of thick-ascending-limb Mg reabsorption blocked"),
    P("thiazide_block", "1", 0.0, 1.0, "fraction of distal-convoluted-tubule Mg reabsorption blocked"),
    # gut
    P("t_half_diss_soluble_h", "h", 1e-3, 10.0, "dissolution half-time, soluble salts"),
    P("t_half_diss_slightly_h", "h", 1e-3, 24.0, "dissolution half-time, slightly soluble salts"),
    P("t_half_diss_poorly_h", "h", 1e-3, 200.0, "dissolution half-time, poorly soluble salts"),
    P("t_transit_h", "h", 0.5, 96.0, "fasting mean residence time in the absorptive gut"),
    P("meal_transit_slowing", "1", 0.0, 10.0, "relative slowing of transit per meal in the gut"),
    P("t_half_chyme_h", "h", 0.1, 24.0, "half-time of a meal's chyme in the absorptive gut"),
    P("lumen_volume_fasted_l", "L", 0.01, 5.0, "luminal fluid volume of the absorptive gut, fasting"),
    P("meal_volume_l", "L", 0.0, 5.0, "luminal fluid volume a meal adds"),
    P("vmax_abs_mmol_per_h", "mmol/h", 0.0, 50.0, "maximal transcellular absorption rate"),
    P("km_abs_mmol_per_l", "mmol/L", 0.01, 500.0, "luminal concentration at half-maximal transcellular uptake"),
    P("paracellular_fraction", "1", 0.0, 0.6,
      "fraction of an ingested amount the linear route absorbs at fasting transit"),
    P("laxation_mmol", "mmol", 1.0, 1e4, "unabsorbed luminal Mg that doubles transit speed (osmotic)"),
    P("endogenous_secretion_l_per_h", "L/h", 0.0, 2.0, "clearance of ultrafilterable plasma Mg into the gut"),
    # plasma binding
    P("c_ref_mmol_per_l", "mmol/L", 0.5, 1.2, "reference (set-point) serum total Mg"),
    P("v_plasma_l_per_kg", "L/kg", 0.01, 0.5, "distribution volume of the ECF compartment for total Mg"),
    P("albumin_sites", "1", 0.1, 50.0, "Mg binding sites per albumin molecule"),
    P("kd_albumin_mmol_per_l", "mmol/L", 0.01, 1000.0, "dissociation constant of Mg-albumin sites"),
    P("complexed_per_ionized", "1", 0.0, 1.0, "complexed (citrate, phosphate, bicarbonate) / ionized Mg"),
    # pools
    P("total_body_mmol_per_kg", "mmol/kg", 2.0, 40.0, "total body Mg"),
    P("skeletal_share", "1", 0.3, 0.8, "share of body Mg in the skeleton"),
    P("bone_surface_share", "1", 0.05, 0.8, "share of skeletal Mg at the bone surface (exchangeable)"),
    P("bone_surface_saturation", "1", 0.01, 0.99, "occupancy of bone-surface sites at the reference level"),
    P("t_half_bone_surface_h", "h", 10.0, 1e5, "bone-surface exchange half-time"),
    P("t_half_remodel_h", "h", 1e3, 1e6, "turnover half-time of deep bone by remodelling"),
    P("exchangeable_mmol_per_kg", "mmol/kg", 0.2, 10.0, "exchangeable Mg within days (ECF + rapid + tissue)"),
    P("rapid_pool_mmol_per_kg", "mmol/kg", 0.0, 1.5, "rapidly exchanging pool at the reference serum level"),
    P("t_half_rapid_h", "h", 0.01, 24.0, "turnover half-life of the rapid pool"),
    P("t_half_tissue_h", "h", 1.0, 2000.0, "turnover half-life of the exchangeable tissue pool"),
    P("tissue_inflow_exponent", "1", 0.0, 2.0, "power of relative ionized Mg driving tissue inflow"),
    # kidney
    P("c_threshold_uf_mmol_per_l", "mmol/L", 0.2, 1.2, "renal threshold (tubular maximum / GFR), ultrafilterable Mg"),
    P("renal_tm_exponent", "1", 0.0, 10.0, "fall of the tubular maximum with ultrafilterable Mg (power)"),
    P("fe_min", "1", 0.0, 0.2, "fractional excretion below the threshold"),
    P("threshold_splay", "1", 0.5, 0.99999, "sharpness of the reabsorption knee (1 = hard)"),
    P("tal_reabsorption_share", "1", 0.0, 1.0, "share of filtered Mg reabsorbed in the thick ascending limb"),
    P("dct_reabsorption_share", "1", 0.0, 1.0, "share of filtered Mg reabsorbed in the distal convoluted tubule"),
    # CSF and brain interstitial fluid
    P("v_csf_l", "L", 0.01, 1.0, "CSF volume"),
    P("csf_production_l_per_h", "L/h", 0.001, 0.2, "CSF production (bulk flow)"),
    P("v_brain_isf_l", "L", 0.01, 1.0, "brain interstitial fluid volume"),
    P("t_half_isf_h", "h", 0.05, 100.0, "CSF - brain interstitial fluid exchange half-time"),
    P("csf_plasma_ratio", "1", 0.8, 2.0, "baseline CSF / serum total Mg ratio"),
    P("csf_ionized_fraction", "1", 0.3, 1.0, "ionized share of CSF total Mg"),
    P("km_choroid_mmol_per_l", "mmol/L", 0.001, 50.0, "plasma ionized Mg at half-maximal choroid-plexus entry"),
    P("csf_leak_l_per_h", "L/h", 0.0, 1.0, "passive blood-CSF permeability to ionized Mg"),
)

LN2 = "0.6931471805599453"
N = N_GUT_SEGMENTS


def _ionized(total: str) -> str:
    """Ionized Mg (mmol/L) from total Mg ``total`` (mmol/L): the positive root of
    ``a i^2 + (a Kd + B - T) i - T Kd = 0`` with ``a = 1 + complexed_per_ionized``."""
    b = f"((1 + complexed_per_ionized) * kd_albumin_mmol_per_l + albumin_sites_mmol_per_l - {total})"
    return (f"(sqrt({b}^2 + 4 * (1 + complexed_per_ionized) * {total} * kd_albumin_mmol_per_l) - {b})"
            f" / (2 * (1 + complexed_per_ionized))")


_lumen_sum = " + ".join(f"lumen_total_{k}" for k in range(1, N + 1))
_assignments = (
    Assignment("v_plasma_l", "v_plasma_l_per_kg * weight_kg", "L", "plasma compartment volume"),
    Assignment("serum_mmol_per_l", "plasma / v_plasma_l", "mmol/L", "serum total Mg"),
    # plasma binding
    Assignment("albumin_sites_mmol_per_l", "albumin_sites * albumin_g_per_l / 66.5", "mmol/L",
               "albumin Mg binding sites (albumin 66.5 kDa)"),
    Assignment("ionized_mmol_per_l", _ionized("serum_mmol_per_l"), "mmol/L", "ionized serum Mg"),
    Assignment("ultrafilterable_mmol_per_l", "(1 + complexed_per_ionized) * ionized_mmol_per_l", "mmol/L",
               "ultrafilterable serum Mg (ionized + complexed)"),
    Assignment("ionized_ref_mmol_per_l", _ionized("c_ref_mmol_per_l"), "mmol/L", "ionized Mg at the reference"),
    Assignment("ultrafilterable_ref_mmol_per_l", "(1 + complexed_per_ionized) * ionized_ref_mmol_per_l",
               "mmol/L", "ultrafilterable Mg at the reference"),
    Assignment("ionized_rel", "ionized_mmol_per_l / ionized_ref_mmol_per_l", "1", "ionized Mg / reference"),
    Assignment("gfr_l_per_h", "egfr_ml_min * 0.06", "L/h", "GFR"),
    # body composition at the reference serum level
    Assignment("plasma_ref", "v_plasma_l * c_ref_mmol_per_l", "mmol", "plasma pool at reference"),
    Assignment("rapid_ref", "rapid_pool_mmol_per_kg * weight_kg", "mmol", "rapid pool at reference"),
    Assignment("tissue_ref", "exchangeable_mmol_per_kg * weight_kg - plasma_ref - rapid_ref", "mmol",
               "exchangeable tissue pool at reference (exchangeable pool minus ECF and rapid pool)"),
    Assignment("skeletal_mmol", "skeletal_share * total_body_mmol_per_kg * weight_kg", "mmol", "skeletal Mg"),
    Assignment("bone_surface_ref", "bone_surface_share * skeletal_mmol", "mmol", "bone-surface Mg at reference"),
    Assignment("deep_bone_ref", "skeletal_mmol - bone_surface_ref", "mmol", "deep-bone Mg at reference"),
    Assignment("fixed_soft_tissue_mmol",
               "total_body_mmol_per_kg * weight_kg - skeletal_mmol - exchangeable_mmol_per_kg * weight_kg", "mmol",
               "soft-tissue Mg that does not exchange within the modelled times (constant)"),
    Assignment("bone_surface_capacity", "bone_surface_ref / bone_surface_saturation", "mmol",
               "bone-surface binding capacity"),
    Assignment("kd_bone_surface_mmol_per_l",
               "ionized_ref_mmol_per_l * (1 - bone_surface_saturation) / bone_surface_saturation", "mmol/L",
               "bone-surface dissociation constant (sites at the reference saturation)"),
    Assignment("k_rapid_back", f"{LN2} / t_half_rapid_h", "1/h", "rapid pool -> plasma"),
    Assignment("k_tissue_back", f"{LN2} / t_half_tissue_h", "1/h", "tissue -> plasma"),
    Assignment("k_bone_surface_off", f"{LN2} / t_half_bone_surface_h", "1/h", "bone surface -> plasma"),
    Assignment("k_remodel", f"{LN2} / t_half_remodel_h", "1/h", "deep-bone remodelling rate constant"),
    # gut
    *(Assignment(f"lumen_total_{k}", f"lumen_supplement_{k} + lumen_diet_{k}", "mmol",
                 f"dissolved Mg in segment {k}") for k in range(1, N + 1)),
    Assignment("gut_unabsorbed_mmol", _lumen_sum, "mmol", "dissolved Mg in the absorptive gut"),
    Assignment("transit_speed", "(1 + gut_unabsorbed_mmol / laxation_mmol) / (1 + meal_transit_slowing * meal_chyme)",
               "1", "transit speed relative to fasting (osmotic laxation, meal slowing)"),
    Assignment("k_segment", f"{N} / t_transit_h * transit_speed", "1/h", "transit between gut segments"),
    Assignment("k_transit", "k_segment / " + str(N), "1/h", "undissolved solids leaving the gut"),
    Assignment("k_para", f"{N} / t_transit_h * ((1 - paracellular_fraction)^(-1 / {N}) - 1)", "1/h",
               "paracellular rate constant: at fasting transit the linear route alone absorbs paracellular_fraction"),
    Assignment("k_chyme", f"{LN2} / t_half_chyme_h", "1/h", "chyme leaving the absorptive gut"),
    Assignment("segment_volume_l", f"(lumen_volume_fasted_l + meal_volume_l * meal_chyme) / {N}", "L",
               "luminal fluid volume of one gut segment"),
    # kidney
    Assignment("filtered_mmol_per_h", "gfr_l_per_h * ultrafilterable_mmol_per_l", "mmol/h", "filtered load"),
    Assignment("reabsorbable_fraction",
               "(1 - fe_min) * (1 - loop_diuretic_block * tal_reabsorption_share"
               " - thiazide_block * dct_reabsorption_share)", "1",
               "fraction of the filtered load the tubule can take back below the threshold"),
    Assignment("reabs_demand", "reabsorbable_fraction * filtered_mmol_per_h", "mmol/h", "reabsorption below threshold"),
    Assignment("reabs_capacity",
               "reabsorbable_fraction * gfr_l_per_h * c_threshold_uf_mmol_per_l"
               " * (ultrafilterable_ref_mmol_per_l / ultrafilterable_mmol_per_l)^renal_tm_exponent",
               "mmol/h", "tubular maximum (scales with nephron mass, i.e. GFR; suppressed as Mg rises)"),
    Assignment("reabsorbed_mmol_per_h",
               "(reabs_demand + reabs_capacity - sqrt((reabs_demand + reabs_capacity)^2"
               " - 4 * threshold_splay * reabs_demand * reabs_capacity)) / (2 * threshold_splay)",
               "mmol/h", "tubular reabsorption: smooth minimum of demand and capacity"),
    # CSF
    Assignment("csf_mmol_per_l", "csf / v_csf_l", "mmol/L", "CSF total Mg"),
    Assignment("csf_ionized_mmol_per_l", "csf_ionized_fraction * csf_mmol_per_l", "mmol/L", "CSF ionized Mg"),
    Assignment("brain_isf_mmol_per_l", "brain_isf / v_brain_isf_l", "mmol/L", "brain interstitial Mg"),
    Assignment("k_csf_bulk", "csf_production_l_per_h / v_csf_l", "1/h", "CSF bulk outflow rate constant"),
    Assignment("isf_clearance_l_per_h", f"{LN2} / t_half_isf_h * v_brain_isf_l", "L/h",
               "CSF - interstitial diffusion clearance"),
    Assignment("csf_ref_mmol_per_l", "csf_plasma_ratio * c_ref_mmol_per_l", "mmol/L", "CSF Mg at reference"),
    Assignment("vmax_choroid_mmol_per_h",
               "(csf_production_l_per_h * csf_ref_mmol_per_l"
               " - csf_leak_l_per_h * (ionized_ref_mmol_per_l - csf_ionized_fraction * csf_ref_mmol_per_l))"
               " * (km_choroid_mmol_per_l + ionized_ref_mmol_per_l) / ionized_ref_mmol_per_l",
               "mmol/h", "maximal choroid-plexus entry (CSF at its baseline ratio at the reference)"),
    Assignment("choroid_entry_mmol_per_h",
               "vmax_choroid_mmol_per_h * ionized_mmol_per_l / (km_choroid_mmol_per_l + ionized_mmol_per_l)",
               "mmol/h", "choroid-plexus Mg entry"),
    # closed-form steady states at the current plasma level (read by the steady-state start)
    Assignment("steady_rapid_pool", "rapid_ref * ionized_rel", "mmol", "rapid pool in equilibrium"),
    Assignment("steady_tissue", "tissue_ref * ionized_rel^tissue_inflow_exponent", "mmol",
               "tissue pool in equilibrium"),
    Assignment("steady_bone_surface",
               "bone_surface_capacity * ionized_mmol_per_l / (kd_bone_surface_mmol_per_l + ionized_mmol_per_l)",
               "mmol", "bone surface in equilibrium (Langmuir)"),
    Assignment("steady_deep_bone", "deep_bone_ref * bone_surface / bone_surface_ref", "mmol",
               "deep bone in equilibrium with the bone surface"),
    Assignment("steady_csf",
               "v_csf_l * (choroid_entry_mmol_per_h + csf_leak_l_per_h * ionized_mmol_per_l)"
               " / (csf_production_l_per_h + csf_leak_l_per_h * csf_ionized_fraction)", "mmol",
               "CSF in equilibrium (entry + leak = bulk flow + back-leak)"),
    Assignment("steady_brain_isf", "v_brain_isf_l * csf_mmol_per_l", "mmol",
               "interstitial fluid at the CSF concentration"),
    Assignment("body_mmol",
               "plasma + rapid_pool + tissue + bone_surface + deep_bone + csf + brain_isf + fixed_soft_tissue_mmol",
               "mmol", "total body Mg (gut lumen excluded)"),
)

_fluxes = (
    *(Flux(f"dissolve_{c}", SOLID_SPECIES[c], LUMEN_SPECIES["supplement"][0],
           f"{LN2} / t_half_diss_{c}_h * {SOLID_SPECIES[c]}", f"dissolution of {c} salts")
      for c in DISSOLUTION_CLASSES),
    *(Flux(f"solid_transit_{c}", SOLID_SPECIES[c], "feces_supplement", f"k_transit * {SOLID_SPECIES[c]}",
           f"undissolved {c} salt leaving with stool") for c in DISSOLUTION_CLASSES),
    # diet and supplement Mg share (compete for) the transporter of each segment
    *(Flux(f"absorb_saturable_{src}_{k}", f"lumen_{src}_{k}", "plasma",
           f"vmax_abs_mmol_per_h / {N} * lumen_{src}_{k}"
           f" / (km_abs_mmol_per_l * segment_volume_l + lumen_total_{k})",
           f"transcellular (TRPM6/7) absorption of {src} Mg, segment {k}")
      for src in SOURCES for k in range(1, N + 1)),
    *(Flux(f"absorb_paracellular_{src}_{k}", f"lumen_{src}_{k}", "plasma", f"k_para * lumen_{src}_{k}",
           f"paracellular absorption of {src} Mg, segment {k}")
      for src in SOURCES for k in range(1, N + 1)),
    *(Flux(f"transit_{src}_{k}", f"lumen_{src}_{k}",
           f"lumen_{src}_{k + 1}" if k < N else f"feces_{src}", f"k_segment * lumen_{src}_{k}",
           f"transit of {src} Mg out of segment {k}")
      for src in SOURCES for k in range(1, N + 1)),
    Flux("chyme_clearance", MEAL_SPECIES, None, f"k_chyme * {MEAL_SPECIES}", "chyme leaving the absorptive gut",
         magnesium=False),
    Flux("endogenous_secretion", "plasma", "feces_endogenous",
         "endogenous_secretion_l_per_h * ultrafilterable_mmol_per_l",
         "endogenous faecal Mg (digestive secretions not reabsorbed)"),
    Flux("iv_infusion", None, "plasma", "iv_rate_mmol_per_h", "intravenous infusion"),
    Flux("to_rapid_pool", "plasma", "rapid_pool", "k_rapid_back * rapid_ref * ionized_rel", "plasma -> rapid pool"),
    Flux("from_rapid_pool", "rapid_pool", "plasma", "k_rapid_back * rapid_pool", "rapid pool -> plasma"),
    Flux("to_tissue", "plasma", "tissue", "k_tissue_back * tissue_ref * ionized_rel^tissue_inflow_exponent",
         "plasma -> tissue"),
    Flux("from_tissue", "tissue", "plasma", "k_tissue_back * tissue", "tissue -> plasma"),
    Flux("to_bone_surface", "plasma", "bone_surface",
         "k_bone_surface_off * (bone_surface_capacity - bone_surface)"
         " * ionized_mmol_per_l / kd_bone_surface_mmol_per_l",
         "binding at free bone-surface sites"),
    Flux("from_bone_surface", "bone_surface", "plasma", "k_bone_surface_off * bone_surface",
         "release from bone surface"),
    Flux("bone_formation", "plasma", "deep_bone", "k_remodel * deep_bone_ref * bone_surface / bone_surface_ref",
         "Mg laid down in new bone (at the surface's Mg content)"),
    Flux("bone_resorption", "deep_bone", "plasma", "k_remodel * deep_bone", "Mg released by bone resorption"),
    Flux("renal_excretion", "plasma", "urine", "filtered_mmol_per_h - reabsorbed_mmol_per_h", "urinary excretion"),
    Flux("csf_entry", "plasma", "csf", "choroid_entry_mmol_per_h", "choroid-plexus (saturable) entry into CSF"),
    Flux("csf_leak", "plasma", "csf", "csf_leak_l_per_h * (ionized_mmol_per_l - csf_ionized_mmol_per_l)",
         "passive blood-CSF leak along the ionized gradient"),
    Flux("csf_bulk_flow", "csf", "plasma", "k_csf_bulk * csf", "CSF absorbed into venous blood (bulk flow)"),
    Flux("csf_to_isf", "csf", "brain_isf", "isf_clearance_l_per_h * (csf_mmol_per_l - brain_isf_mmol_per_l)",
         "diffusion between CSF and brain interstitial fluid"),
)

WHOLE_BODY = ModelSpec("mgbrain_whole_body", _species, _parameters, _assignments, _fluxes,
                       inputs=("iv_rate_mmol_per_h",))
