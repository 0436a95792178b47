#include "thief_abi.h"
