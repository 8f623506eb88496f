"""Whole-body magnesium kinetics, declared once.

Compartments (amounts in mmol, time in h)::

    oral dose ─► gut_solid_{soluble,slightly,poorly} ──dissolution──► lumen_supplement_1..4
                                                           meals ──► lumen_diet_1..4
                         │ transit                                     │ saturable + paracellular
                         ▼                                             ▼            │ transit
                       feces ◄─────────────────────────────────────── plasma ◄──────┘
                                                                  ▲ │ ▲ │ ▲ │ ▲ │
                      IV bolus / infusion ─────────────────────────┘ │ │ │ │ │ │ │
                                         rapid_pool       ◄─────────┘ │ │ │ │ │ └─► urine
                                         tissue (exchangeable ICF) ◄──┘ │ │ │     (GFR × filtered
                                         bone / slow pool ◄─────────────┘ │ │      − saturable
                                         csf (regulated entry) ◄──────────┘ │       reabsorption)

``plasma`` is the ECF (plasma + interstitial fluid, ~1% of body Mg); ``rapid_pool`` is a
rapidly exchanging cellular / bone-surface pool whose size and speed are fitted to the plasma
decay after an IV bolus (Fuchs-Buder 1997), which ECF alone cannot buffer; ``tissue`` is the
rest of the exchangeable pool (Avioli & Berman 1966: 1.77 mmol/kg, >80% intracellular); ``bone``
holds the slowly exchanging rest (t1/2 ~ 1,000 h). Exchange rates are derived from pool sizes
(mmol/kg at the reference serum concentration) and exchange half-times, so steady state sits at
the reference pools. Absorption is net absorption (Fine 1991 measured net absorption). The gut lumen is a chain of
``N_GUT_SEGMENTS`` transit compartments, kept separately for supplement and dietary Mg so that
each source's absorbed fraction is exact (the two compete for the saturable transporter).
"""

from __future__ import annotations

from mgbrain.model.spec import Assignment, Flux, ModelSpec, ParameterSpec, Species

__all__ = ["WHOLE_BODY", "SOLID_SPECIES", "DISSOLUTION_CLASSES", "LUMEN_SPECIES", "N_GUT_SEGMENTS"]

DISSOLUTION_CLASSES = ("soluble", "slightly", "poorly")
SOLID_SPECIES = {c: f"gut_solid_{c}" for c in DISSOLUTION_CLASSES}
#: The absorptive gut is a chain of segments (transit compartments), so that an oral load has
#: a bounded absorption window; one well-mixed lumen has an exponential tail during which the
#: saturable transporter keeps absorbing, and could not reproduce Fine 1991's 11% at 80 mEq.
N_GUT_SEGMENTS = 8
SOURCES = ("supplement", "diet")
LUMEN_SPECIES = {src: tuple(f"lumen_{src}_{k}" for k in range(1, N_GUT_SEGMENTS + 1)) for src in SOURCES}

_species = (
    *(Species(SOLID_SPECIES[c], "gut", f"undissolved Mg of {c} salts in the gut lumen")
      for c in DISSOLUTION_CLASSES),
    *(Species(name, "gut", f"dissolved {src} Mg in gut segment {k + 1} of {N_GUT_SEGMENTS}")
      for src in SOURCES for k, name in enumerate(LUMEN_SPECIES[src])),
    Species("plasma", "plasma", "Mg in plasma and interstitial fluid (ECF), total incl. protein-bound"),
    Species("rapid_pool", "tissue", "rapidly exchanging cellular/bone-surface pool (buffers IV loads)"),
    Species("tissue", "tissue", "exchangeable intracellular Mg (soft tissues)"),
    Species("bone", "bone", "slowly exchanging pool (bone and deep intracellular)"),
    Species("csf", "csf", "CSF / brain extracellular Mg"),
    Species("urine", "sink", "cumulative urinary Mg", cumulative=True),
    Species("feces_supplement", "sink", "cumulative unabsorbed supplement Mg", cumulative=True),
    Species("feces_diet", "sink", "cumulative unabsorbed dietary Mg", cumulative=True),
)

P = ParameterSpec
_parameters = (
    # covariates
    P("weight_kg", "kg", 2.0, 300.0, "body weight"),
    P("egfr_ml_min", "mL/min", 0.0, 200.0, "glomerular filtration rate (eGFR used as GFR)"),
    # gut
    P("t_half_diss_soluble_h", "h", 1e-3, 10.0, "dissolution half-time, soluble salts"),
    P("t_half_diss_slightly_h", "h", 1e-3, 24.0, "dissolution half-time, slightly soluble salts"),
    P("t_half_diss_poorly_h", "h", 1e-3, 200.0, "dissolution half-time, poorly soluble salts"),
    P("t_transit_h", "h", 0.5, 72.0, "mean residence time of Mg in the absorptive gut"),
    P("vmax_abs_mmol_per_h", "mmol/h", 0.0, 50.0, "maximal saturable (transcellular) absorption rate"),
    P("km_abs_mmol", "mmol", 1e-3, 500.0, "luminal amount at half-maximal saturable absorption"),
    P("paracellular_fraction", "1", 0.0, 0.5, "fraction of ingested Mg absorbed by the linear route at high intake"),
    # distribution
    P("c_ref_mmol_per_l", "mmol/L", 0.5, 1.2, "reference (set-point) serum total Mg"),
    P("v_plasma_l_per_kg", "L/kg", 0.01, 0.5, "distribution volume of the ECF compartment for total Mg"),
    P("rapid_pool_mmol_per_kg", "mmol/kg", 0.0, 1.5, "rapidly exchanging pool at the reference serum level"),
    P("exchangeable_mmol_per_kg", "mmol/kg", 0.2, 10.0, "total exchangeable Mg (ECF + tissue)"),
    P("total_body_mmol_per_kg", "mmol/kg", 2.0, 40.0, "total body Mg"),
    P("t_half_rapid_h", "h", 0.01, 24.0, "turnover half-life of the rapid pool"),
    P("t_half_tissue_h", "h", 1.0, 200.0, "turnover half-life of the exchangeable tissue pool"),
    P("t_half_bone_h", "h", 100.0, 10000.0, "turnover half-life of the bone/slow pool"),
    P("ultrafilterable_fraction", "1", 0.5, 0.95, "ultrafilterable (ionized + complexed) fraction of serum Mg"),
    P("ionized_fraction", "1", 0.4, 0.8, "ionized fraction of serum Mg"),
    # kidney
    P("c_threshold_mmol_per_l", "mmol/L", 0.4, 1.2, "renal reabsorption threshold (serum total Mg)"),
    P("fe_min", "1", 0.0, 0.2, "fractional excretion below the threshold"),
    P("threshold_splay", "1", 0.5, 0.99999, "sharpness of the reabsorption threshold (1 = hard)"),
    # CSF
    P("v_csf_l", "L", 0.01, 1.0, "CSF volume"),
    P("t_half_csf_exit_h", "h", 0.1, 24.0, "CSF Mg exit half-time"),
    P("csf_plasma_ratio", "1", 0.8, 2.0, "baseline CSF / serum total Mg ratio"),
    P("km_csf_mmol_per_l", "mmol/L", 0.01, 50.0, "serum Mg at half-maximal CSF entry"),
)

LN2 = "0.6931471805599453"
_assignments = (
    Assignment("v_plasma_l", "v_plasma_l_per_kg * weight_kg", "L", "plasma compartment volume"),
    Assignment("serum_mmol_per_l", "plasma / v_plasma_l", "mmol/L", "serum total Mg"),
    Assignment("ultrafilterable_mmol_per_l", "ultrafilterable_fraction * serum_mmol_per_l", "mmol/L",
               "ultrafilterable serum Mg"),
    Assignment("ionized_mmol_per_l", "ionized_fraction * serum_mmol_per_l", "mmol/L", "ionized serum Mg"),
    Assignment("csf_mmol_per_l", "csf / v_csf_l", "mmol/L", "CSF Mg"),
    Assignment("gfr_l_per_h", "egfr_ml_min * 0.06", "L/h", "GFR"),
    # reference pools (mmol) at the reference serum level
    Assignment("plasma_ref", "v_plasma_l * c_ref_mmol_per_l", "mmol", "plasma pool at reference"),
    Assignment("ratio_rapid_pool", "rapid_pool_mmol_per_kg * weight_kg / plasma_ref", "1",
               "rapid pool / plasma at equilibrium"),
    Assignment("ratio_tissue",
               "(exchangeable_mmol_per_kg * weight_kg - plasma_ref) / plasma_ref - ratio_rapid_pool", "1",
               "tissue / plasma at equilibrium (exchangeable pool minus ECF and rapid pool)"),
    Assignment("ratio_bone", "(total_body_mmol_per_kg - exchangeable_mmol_per_kg) * weight_kg / plasma_ref",
               "1", "bone / plasma at equilibrium"),
    # exchange constants from pool turnover half-lives (pool amount / outflux, as a tracer sees
    # it): k_back = ln2 / t_half; the inflow constant ratio * k_back keeps the pool at its size.
    Assignment("k_rapid_pool_back", f"{LN2} / t_half_rapid_h", "1/h", "rapid pool -> plasma"),
    Assignment("k_tissue_back", f"{LN2} / t_half_tissue_h", "1/h", "tissue -> plasma"),
    Assignment("k_bone_back", f"{LN2} / t_half_bone_h", "1/h", "bone -> plasma"),
    # gut
    Assignment("k_transit", "1 / t_transit_h", "1/h", "undissolved solids leaving the gut"),
    Assignment("k_segment", f"{N_GUT_SEGMENTS} / t_transit_h", "1/h", "transit between gut segments"),
    Assignment("k_para", f"k_segment * ((1 - paracellular_fraction)^(-1 / {N_GUT_SEGMENTS}) - 1)", "1/h",
               "paracellular rate constant: the linear route alone absorbs paracellular_fraction"),
    *(Assignment(f"lumen_total_{k}", f"lumen_supplement_{k} + lumen_diet_{k}", "mmol",
                 f"dissolved Mg in segment {k}") for k in range(1, N_GUT_SEGMENTS + 1)),
    # kidney: reabsorption = smooth min((1 - fe_min) * filtered, capacity) (non-rectangular hyperbola)
    Assignment("filtered_mmol_per_h", "gfr_l_per_h * ultrafilterable_mmol_per_l", "mmol/h", "filtered load"),
    Assignment("reabs_demand", "(1 - fe_min) * filtered_mmol_per_h", "mmol/h", "reabsorption below threshold"),
    Assignment("reabs_capacity",
               "(1 - fe_min) * gfr_l_per_h * ultrafilterable_fraction * c_threshold_mmol_per_l",
               "mmol/h", "tubular reabsorption capacity (scales with nephron mass, i.e. GFR)"),
    Assignment("reabsorbed_mmol_per_h",
               "(reabs_demand + reabs_capacity - sqrt((reabs_demand + reabs_capacity)^2"
               " - 4 * threshold_splay * reabs_demand * reabs_capacity)) / (2 * threshold_splay)",
               "mmol/h", "tubular reabsorption"),
    # CSF: saturable entry calibrated to the baseline ratio at the reference serum level
    Assignment("k_csf_exit", f"{LN2} / t_half_csf_exit_h", "1/h", "CSF exit rate constant"),
    Assignment("vmax_csf_mmol_per_h",
               "k_csf_exit * v_csf_l * csf_plasma_ratio * (km_csf_mmol_per_l + c_ref_mmol_per_l)",
               "mmol/h", "maximal CSF entry"),
)

_fluxes = (
    *(Flux(f"dissolve_{c}", SOLID_SPECIES[c], LUMEN_SPECIES["supplement"][0],
           f"{LN2} / t_half_diss_{c}_h * {SOLID_SPECIES[c]}", f"dissolution of {c} salts")
      for c in DISSOLUTION_CLASSES),
    *(Flux(f"solid_transit_{c}", SOLID_SPECIES[c], "feces_supplement", f"k_transit * {SOLID_SPECIES[c]}",
           f"undissolved {c} salt leaving with stool") for c in DISSOLUTION_CLASSES),
    # diet and supplement Mg share (compete for) the saturable transporter of each segment
    *(Flux(f"absorb_saturable_{src}_{k}", f"lumen_{src}_{k}", "plasma",
           f"vmax_abs_mmol_per_h / {N_GUT_SEGMENTS} * lumen_{src}_{k} / (km_abs_mmol + lumen_total_{k})",
           f"transcellular (TRPM6/7) absorption of {src} Mg, segment {k}")
      for src in SOURCES for k in range(1, N_GUT_SEGMENTS + 1)),
    *(Flux(f"absorb_paracellular_{src}_{k}", f"lumen_{src}_{k}", "plasma", f"k_para * lumen_{src}_{k}",
           f"paracellular absorption of {src} Mg, segment {k}")
      for src in SOURCES for k in range(1, N_GUT_SEGMENTS + 1)),
    *(Flux(f"transit_{src}_{k}", f"lumen_{src}_{k}",
           f"lumen_{src}_{k + 1}" if k < N_GUT_SEGMENTS else f"feces_{src}", f"k_segment * lumen_{src}_{k}",
           f"transit of {src} Mg out of segment {k}")
      for src in SOURCES for k in range(1, N_GUT_SEGMENTS + 1)),
    Flux("iv_infusion", None, "plasma", "iv_rate_mmol_per_h", "intravenous infusion"),
    Flux("to_rapid_pool", "plasma", "rapid_pool", "ratio_rapid_pool * k_rapid_pool_back * plasma",
         "plasma -> rapid pool"),
    Flux("from_rapid_pool", "rapid_pool", "plasma", "k_rapid_pool_back * rapid_pool", "rapid pool -> plasma"),
    Flux("to_tissue", "plasma", "tissue", "ratio_tissue * k_tissue_back * plasma", "plasma -> tissue"),
    Flux("from_tissue", "tissue", "plasma", "k_tissue_back * tissue", "tissue -> plasma"),
    Flux("to_bone", "plasma", "bone", "ratio_bone * k_bone_back * plasma", "plasma -> bone"),
    Flux("from_bone", "bone", "plasma", "k_bone_back * bone", "bone -> plasma"),
    Flux("renal_excretion", "plasma", "urine", "filtered_mmol_per_h - reabsorbed_mmol_per_h",
         "urinary excretion"),
    Flux("csf_entry", "plasma", "csf",
         "vmax_csf_mmol_per_h * serum_mmol_per_l / (km_csf_mmol_per_l + serum_mmol_per_l)",
         "regulated (saturable) entry into CSF"),
    Flux("csf_exit", "csf", "plasma", "k_csf_exit * csf", "CSF exit (bulk flow and diffusion)"),
)

WHOLE_BODY = ModelSpec("mgbrain_whole_body", _species, _parameters, _assignments, _fluxes,
                       inputs=("iv_rate_mmol_per_h",))
