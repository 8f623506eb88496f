"""What an mgbrain answer is: the one disclaimer every report, plan and dataset carries.

It lives at the ground so that every floor (planner, population, reporting, interfaces)
imports it downward and says the same thing.

Examples
--------
>>> "not medical advice" in DISCLAIMER
True
>>> PLAN_DISCLAIMER.startswith(DISCLAIMER)
True
"""

from __future__ import annotations

__all__ = ["DISCLAIMER", "PLAN_DISCLAIMER"]

#: The one sentence: what an answer of mgbrain is and is not.
DISCLAIMER = ("mgbrain is a research and education tool; its answers are model predictions with "
              "stated assumptions, not medical advice.")

#: A plan is read by the person it is for: the disclaimer plus whom to ask and when it matters most.
PLAN_DISCLAIMER = (DISCLAIMER + " Check any supplement with a doctor or pharmacist, especially with "
                   "kidney disease, pregnancy, children or prescription medicines.")
