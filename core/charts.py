"""Line charts the templates draw as inline SVG (no script, no chart library): the geometry
here, the series and their labels in each view.

Values run from 0 at the bottom to `maximum` at the top; a missing value (None) breaks its
line, and a stretch of a single point is drawn as its dot alone."""

from dataclasses import dataclass


@dataclass(frozen=True)
class LineChart:
    points: int  # positions along x, evenly spaced
    height: int
    maximum: float  # the value at the top
    width: int = 640
    left: int = 40  # margins: the y labels on the left, the x labels below
    right: int = 12
    top: int = 12
    bottom: int = 30

    @property
    def plot_height(self) -> int:
        return self.height - self.top - self.bottom

    @property
    def step(self) -> float:
        return (self.width - self.left - self.right) / max(1, self.points - 1)

    def x(self, i: int) -> float:
        return round(self.left + i * self.step, 1)

    def y(self, value) -> float:
        return round(self.top + (self.maximum - float(value)) / self.maximum * self.plot_height, 1)

    def frame(self) -> dict:
        """The box and the axes: `left` and `right` ends of the x axis, its `bottom`."""
        return {
            "width": self.width,
            "height": self.height,
            "left": self.left,
            "right": self.width - self.right,
            "bottom": self.top + self.plot_height,
        }

    def grid(self, ticks) -> list[dict]:
        """A horizontal line per (label, value) of `ticks`."""
        return [{"value": label, "y": self.y(value)} for label, value in ticks]

    def line(self, values, about) -> tuple[list[str], list[dict]]:
        """(segments, dots) of one series, `values[i]` at position i: each segment the
        "x,y x,y ..." of an unbroken stretch of two points or more; each dot its x and y with
        what `about(i, value)` adds (its label, its tooltip)."""
        segments, current, dots = [], [], []
        for i, value in enumerate(values):
            if value is None:
                if current:
                    segments.append(" ".join(current))
                current = []
                continue
            current.append(f"{self.x(i)},{self.y(value)}")
            dots.append({"x": self.x(i), "y": self.y(value), **about(i, value)})
        if current:
            segments.append(" ".join(current))
        return [s for s in segments if " " in s], dots
