from . import b2b_application_action_wizard
from . import b2b_tier_change_wizard
from . import b2b_collection_wizard
