"""CPNI breach incidents: the 64.2011 clocks under both rule texts, the data types a
disclosure gave away, and the draft notification packet.

The incident register itself lives in the catalog (``callvault.catalog.incidents``);
R16, which opens incident candidates, is ``callvault.compliance.pretexting``.
"""

from callvault.compliance.breach.calendar import add_business_days, federal_holidays, is_business_day
from callvault.compliance.breach.datatypes import disclosed_types
from callvault.compliance.breach.deadlines import Deadline, DeadlineSet, IncidentFacts, both_texts, deadlines
from callvault.compliance.breach.options import RULE_2007, RULE_FCC_23_111, BreachOptions

__all__ = [
    "BreachOptions",
    "Deadline",
    "DeadlineSet",
    "IncidentFacts",
    "RULE_2007",
    "RULE_FCC_23_111",
    "add_business_days",
    "both_texts",
    "deadlines",
    "disclosed_types",
    "federal_holidays",
    "is_business_day",
]
