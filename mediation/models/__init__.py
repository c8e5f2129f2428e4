from .memberships import Membership
from .organizations import MediationOrganization
from .regions import Region
from .units import Unit

__all__ = ["Membership", "MediationOrganization", "Region", "Unit"]
