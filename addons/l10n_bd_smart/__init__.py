from . import bd_identifiers
from . import models
