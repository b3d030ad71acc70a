from dataclasses import dataclass


@dataclass(frozen=True)
class Scale:
    name: str
    companies: int
    contacts: int
    deals: int
    activities: int


SCALES = {
    "tiny": Scale("tiny", 200, 1_000, 200, 10_000),
    "small": Scale("small", 2_000, 10_000, 2_000, 100_000),
    "large": Scale("large", 20_000, 100_000, 20_000, 1_000_000),
}
