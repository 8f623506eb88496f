"""The JSON API's request and response bodies (pydantic), the OpenAPI schema's source.

Requests declare types only: ranges, names and units are checked by the library, exactly as
the command line checks them, so a bad value gets the same message in both (a 422 naming the
field, what was expected and what was received). Strings are bounded in length and every
model forbids unknown fields.
"""

from __future__ import annotations

from typing import Annotated, Any, Literal

from pydantic import BaseModel, ConfigDict, Field

__all__ = ["ErrorBody", "ConvertRequest", "ProfileBody", "PlanRequest", "SimulateRequest", "CompareRequest",
           "FactcheckRequest", "DesignBody", "TrialRequest", "TrialRunRequest", "JobStatus", "TEXT", "NAME"]

#: A short text field (a name, an amount, a clock time); a long one (a label, a list).
NAME = Annotated[str, Field(max_length=200)]
TEXT = Annotated[str, Field(max_length=2000)]


class _Body(BaseModel):
    model_config = ConfigDict(extra="forbid", allow_inf_nan=False)


class ErrorBody(BaseModel):
    """What every refused request returns (422, 413, 404, 503): the library error's fields."""

    error: str = Field(description="The error's kind: ParameterError, RegimenError, ..., or RequestError")
    message: str
    argument: str | None = Field(None, description="The field the error is about, e.g. 'profile.age'")
    expected: str | None = None
    received: str | None = None
    hint: str | None = None
    errors: list[dict[str, Any]] = Field(default_factory=list, description="Every field error, when several")


class ConvertRequest(_Body):
    """`mgbrain convert`: compound mass <-> elemental Mg."""

    amount: NAME = Field(description="'2 g', '2000 mg', '2 g/day' (units required)", examples=["2 g"])
    form: NAME | None = Field(None, description="Compound, e.g. threonate, citrate")
    product: NAME | None = Field(None, description="Product, e.g. magtein")
    label: TEXT | None = Field(None, description="Your label: '2 capsules = 2000 mg MgT providing 144 mg Mg'")
    elemental: bool = Field(False, description="amount is elemental Mg")
    split: int = Field(1, description="Doses per day")


class MedicineBody(_Body):
    name: NAME
    times: list[NAME] = Field(default_factory=list, max_length=8)
    days: int | None = None


class ProductBody(_Body):
    product: NAME = "magtein"
    dose: NAME | None = None
    elemental: bool = False
    label: TEXT | None = None
    form: NAME | None = None
    capsule_mg: float | None = None


class FoodBody(_Body):
    food: NAME
    servings: float | None = None
    grams: float | None = None


class DietBody(_Body):
    foods: list[FoodBody] = Field(default_factory=list, max_length=50)
    intake_mg: float | None = None


class ProfileBody(_Body):
    """The profile file's layout (examples/profiles), as JSON."""

    name: NAME | None = None
    age: float
    sex: NAME
    weight_kg: float
    height_cm: float | None = None
    pregnant: bool = False
    lactating: bool = False
    egfr: float | None = Field(None, description="eGFR as labs report it, mL/min/1.73 m2")
    ckd_stage: NAME | None = None
    goal: NAME | None = None
    wake: NAME | None = None
    bed: NAME | None = None
    titrate: bool = False
    medicines: list[MedicineBody] = Field(default_factory=list, max_length=30)
    products: list[ProductBody] | None = Field(None, max_length=5)
    diet: DietBody | None = None


class PlanRequest(_Body):
    """`mgbrain plan`: a profile; ``start`` is the calendar's first day (YYYY-MM-DD) for the .ics."""

    profile: ProfileBody
    start: NAME | None = None


class SimulateRequest(_Body):
    """`mgbrain simulate`: one person's whole-body Mg kinetics, against no supplement."""

    product: NAME | None = None
    dose: NAME | None = Field(None, description="Daily compound amount, e.g. '2 g/day'")
    split: int = 2
    times: NAME | None = Field(None, description="Clock times, e.g. '08:00,20:00'")
    days: float = 7.0
    weight: float = 70.0
    egfr: float = 90.0
    diet: float = 300.0
    missed: NAME | None = None
    iv_bolus: NAME | None = None
    infusion: NAME | None = None
    infusion_hours: float | None = None
    iv_form: NAME | None = None
    every: float | None = Field(None, description="Output interval, h (default 1)")


class CompareRequest(_Body):
    """`mgbrain compare`: Mg forms side by side with 90% bands."""

    forms: TEXT = "threonate,citrate,glycinate,oxide,chloride"
    elemental: NAME | None = Field(None, description="Elemental Mg per day, e.g. '144 mg/day'")
    compound: NAME | None = Field(None, description="Compound per day, e.g. '2 g/day'")
    weeks: float = 12.0
    samples: int = 64
    seed: int = 0
    weight: float = 70.0


class FactcheckRequest(_Body):
    """`mgbrain factcheck`: an article's text (at most 200,000 characters)."""

    text: Annotated[str, Field(max_length=200_000)]
    threshold: float | None = None
    backend: NAME = "tfidf"


class _TrialSection(_Body):
    name: NAME | None = None
    duration_days: float | None = None
    visit_days: list[float] | None = Field(None, max_length=60)
    n_per_arm: int | None = None
    replicates: int | None = None
    seed: int | None = None


class _ArmSection(_Body):
    name: NAME | None = None
    product: NAME | None = None
    dose: NAME | None = None
    clock: list[NAME] | None = Field(None, max_length=8)
    with_food: bool | None = None


class _PopulationSection(_Body):
    age_years: list[float] | None = Field(None, max_length=4)
    age_mean_years: float | None = None
    age_sd_years: float | None = None
    female_fraction: float | None = None
    egfr_min_ml_min: float | None = None
    egfr_max_ml_min: float | None = None
    weight_kg: list[float] | None = Field(None, max_length=4)
    diet_mg_per_day: list[float] | None = Field(None, max_length=4)


class _DropoutSection(_Body):
    per_week: float | None = None


class _AdherenceSection(_Body):
    fraction: float | None = None


class _AnalysisSection(_Body):
    method: NAME | None = None
    alpha: float | None = None
    multiplicity: NAME | None = None
    baseline_correlation: float | None = None


class DesignBody(_Body):
    """A trial design file's layout (examples/trials/README.md), as JSON."""

    trial: _TrialSection | None = None
    arms: list[_ArmSection] | None = Field(None, max_length=12)
    endpoints: list[NAME] | None = Field(None, max_length=20)
    population: _PopulationSection | None = None
    dropout: _DropoutSection | None = None
    adherence: _AdherenceSection | None = None
    analysis: _AnalysisSection | None = None


class TrialRequest(_Body):
    """A virtual trial's design: checked field by field, with each active arm's expected effects."""

    design: DesignBody


class TrialRunRequest(_Body):
    """`mgbrain trial`: simulate the design's replicates (a background job) for power curves and the n."""

    design: DesignBody
    replicates: int | None = Field(None, description="Simulated trials (default: the design's trial.replicates)")
    n_grid: list[int] | None = Field(None, max_length=20, description="Trial sizes per arm (default 20, 40, 80, 160)")
    target_power: float = 0.8


class JobStatus(BaseModel):
    """A background job (simulate, compare, a claim's model check)."""

    id: str
    kind: str
    state: Literal["queued", "running", "done", "failed", "cancelled", "timed_out"]
    progress: float = Field(description="0 to 1")
    message: str
    created: float = Field(description="seconds since the epoch")
    time_limit_s: float
    result: dict[str, Any] | None = None
    error: ErrorBody | None = None
    has_report: bool = False
