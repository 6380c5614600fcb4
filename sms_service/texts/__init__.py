"""The message catalogue: what people read, in English and Kiswahili."""

from .catalogue import CATALOGUE, Template
from .render import format_date, format_time, render

__all__ = ["CATALOGUE", "Template", "format_date", "format_time", "render"]
