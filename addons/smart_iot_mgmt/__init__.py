from . import models
from . import routers
from . import wizards
