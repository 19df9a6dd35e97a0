"""What the two-operand integer units share: width and signedness, every pair of codes."""

from ..models.formats import IntFormat
from ..params import Param
from ..unit import UnitConfig
from ..vectors import int_pairs


class IntPairUnit(UnitConfig):
    """Base of ``int_mul`` and ``int_add`` (not registered itself)."""

    params = (
        Param("width", "int", 8, "operand width in bits", choices=(4, 8, 16)),
        Param("signed", "bool", True, "two's complement operands", choices=("unsigned", "signed")),
    )

    @property
    def operands(self) -> IntFormat:
        return IntFormat(self.width, self.signed)

    def make_vectors(self, plan):
        return int_pairs(self.width, plan.count, plan.seed)

    def default_count(self):
        return None if self.width <= 8 else 1_000_000

    def input_grid(self):
        return {"a": self.width, "b": self.width}
