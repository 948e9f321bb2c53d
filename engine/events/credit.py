"""Events of institution credit rating (信用评价): ratings and repairs."""

from __future__ import annotations
