from . import lib
from . import routers
from . import models
from . import wizards
from . import controllers
