"""Partial redraw on an Agg canvas: draw again only the Axes a slider step changed.

:class:`Blitter` keeps, for each Axes of an explorer, the background of its frame and the
signature of its decoration (box, limits, ticks, labels). A step restores the backgrounds of the
Axes that changed, draws their content on top and copies only those pixels; ticks and labels are
drawn again only when they changed and their region can be repainted alone: only the axis that
moved when one did (``f_max`` moves the y axis, not the time axis), or a copy of the same
decoration drawn before. Anything else is a full draw, which is always right.
"""
from __future__ import annotations

import weakref

import numpy as np
from matplotlib.backends.backend_agg import FigureCanvasAgg
from matplotlib.patches import Rectangle
from matplotlib.transforms import Bbox, IdentityTransform

from ._nearest import fast_resampling


def content_artists(ax) -> list:
    """What an Axes shows inside its frame (images, collections, lines, patches, texts) and its
    spines, in the order ``Axes.draw`` draws them (zorder, then the order of its children).
    Ticks, labels and title are its decoration. The spines are drawn with the content, never
    into a background: a frame kept in the background and drawn once more over the content would
    darken its antialiased edge, and a partial redraw would then differ from a full draw (the
    pictures drawn ahead are compared with what ipympl's own full draws show)."""
    order = {id(a): i for i, a in enumerate(ax.get_children())}
    artists = [a for a in (*ax.images, *ax.collections, *ax.lines, *ax.patches, *ax.texts, *ax.spines.values())
               if a.get_visible()]
    return sorted(artists, key=lambda a: (a.get_zorder(), order.get(id(a), len(order))))


def axes_limits(figure) -> dict:
    """Each Axes of ``figure`` -> its (x limits, y limits)."""
    return {ax: (tuple(ax.get_xlim()), tuple(ax.get_ylim())) for ax in figure.axes}


# axis -> (what its ticks were computed from, the ticks): one entry per axis, for the Axes a step
# did not touch (their signature is still checked, and locating ticks on a mel or time axis costs
# 1-2 ms each).
_LAST_TICKS: "weakref.WeakKeyDictionary" = weakref.WeakKeyDictionary()


def _ticks(axis) -> tuple:
    """The major tick positions and labels of ``axis``.

    They depend on the view interval, the Axes' box in pixels (how many labels fit), the scale,
    the dpi and the locator and formatter objects: while all of those are the same objects and
    values as last time, the last answer is returned without locating and formatting again.
    """
    basis = (tuple(axis.get_view_interval()), tuple(axis.axes.bbox.bounds), axis.get_scale(), axis.figure.dpi)
    locator, formatter = axis.major.locator, axis.major.formatter
    last = _LAST_TICKS.get(axis)
    if last is not None and last[0] == basis and last[1] is locator and last[2] is formatter:
        return last[3]
    locations = tuple(float(v) for v in axis.get_majorticklocs())
    ticks = locations, tuple(formatter.format_ticks(list(locations)))
    _LAST_TICKS[axis] = (basis, locator, formatter, ticks)
    return ticks


def decoration_signature(ax) -> tuple:
    """Everything that decides how an Axes' frame, ticks and labels look (box in pixels, limits,
    scales, tick positions and texts, labels, title). While it stays the same only the content
    inside the frame needs drawing again."""
    return (
        tuple(ax.bbox.bounds), ax.get_xlim(), ax.get_ylim(), ax.get_xscale(), ax.get_yscale(),
        _ticks(ax.xaxis), _ticks(ax.yaxis), ax.get_xlabel(), ax.get_ylabel(), ax.get_title(),
        ax.get_title("left"), ax.get_title("right"), len(ax.child_axes), ax.get_visible(),
    )


def _frame_box(ax):
    """The Axes box grown to whole pixels plus a margin: it holds the spines' antialiased edges
    and markers drawn just outside the frame. Whole pixels matter: a region copied or restored
    with fractional edges would leave a column drawn twice at every step."""
    return _whole_pixels(ax.bbox, 7)


def _draw_content(ax, renderer) -> None:
    with fast_resampling():  # the same pixels as matplotlib's nearest-neighbour images, sooner
        for artist in content_artists(ax):
            artist.draw(renderer)


def _whole_pixels(box, margin: float):
    return Bbox.from_extents(np.floor(box.x0) - margin, np.floor(box.y0) - margin,
                             np.ceil(box.x1) + margin, np.ceil(box.y1) + margin)


def _decorated_region(ax, renderer):
    """Everything an Axes draws (frame, ticks, labels, title, colorbar label), in whole pixels,
    within the figure (the canvas holds nothing beyond it: a colorbar label ending a fraction of
    a pixel from the edge must not make every step a full draw)."""
    return _within_figure(Bbox.union([_whole_pixels(ax.get_tightbbox(renderer), 1), _frame_box(ax)]), ax.figure)


# Positions in decoration_signature() of what belongs to the x axis alone and to the y axis alone.
_AXIS_PARTS = {"x": (1, 3, 5, 7), "y": (2, 4, 6, 8)}


def _within_figure(box, figure):
    width, height = figure.canvas.get_width_height()
    return Bbox.from_extents(max(box.x0, 0.0), max(box.y0, 0.0), min(box.x1, float(width)), min(box.y1, float(height)))


def _axis_regions(ax, renderer, names=("x", "y")) -> dict:
    """For each of the Axes' x and y axis, where it draws, in whole pixels: its tick labels,
    axis label and offset text, and a strip along each side that carries its ticks (in or out)."""
    box, points = ax.bbox, ax.figure.dpi / 72.0
    regions = {}
    for name in names:
        axis = ax.xaxis if name == "x" else ax.yaxis
        parts = []
        tight = axis.get_tightbbox(renderer)
        if tight is not None and np.isfinite(tight.extents).all():
            parts.append(tight)
        ticks = [t for t in (*axis.majorTicks[:1], *axis.minorTicks[:1])]
        reach = 2.0 + points * max((line.get_markersize() for t in ticks for line in (t.tick1line, t.tick2line)),
                                   default=0.0)
        for side in (0, 1):
            if not any((t.tick1line if side == 0 else t.tick2line).get_visible() for t in ticks):
                continue
            if name == "y":
                edge = box.x0 if side == 0 else box.x1
                parts.append(Bbox.from_extents(edge - reach, box.y0 - 2, edge + reach, box.y1 + 2))
            else:
                edge = box.y0 if side == 0 else box.y1
                parts.append(Bbox.from_extents(box.x0 - 2, edge - reach, box.x1 + 2, edge + reach))
        if parts:
            regions[name] = _within_figure(_whole_pixels(Bbox.union(parts), 1), ax.figure)
    return regions


def _texts_outside(ax, axis_name, region, renderer) -> list:
    """The visible texts of ``ax``'s decoration that are not ``axis_name``'s and draw nothing in
    ``region``: the other axis' tick labels, label and offset text, and the titles."""
    from matplotlib.text import Text

    other = ax.yaxis if axis_name == "x" else ax.xaxis
    texts = [label for tick in (*other.majorTicks, *other.minorTicks) for label in (tick.label1, tick.label2)]
    texts += [other.label, other.offsetText]
    texts += [child for child in ax.get_children() if isinstance(child, Text) and child not in ax.texts]
    outside = []
    for text in texts:
        if not text.get_visible():
            continue
        if text.get_text() and _whole_pixels(text.get_window_extent(renderer), 1).overlaps(region):
            continue
        outside.append(text)
    return outside


class Blitter:
    """Redraws only the Axes that changed on an Agg canvas, and inside them only what changed.

    It works on any Agg canvas: the inline backend's (the explorer then encodes the buffer) and
    ipympl's (the explorer then calls its ``blit``, which sends the browser the changed pixels at
    once, with no round trip). The Blitter itself only draws into the buffer.

    A full draw renders the figure without the content of the tracked Axes, keeps a copy of each
    one's frame region (the background: face colour, spines, nothing inside), then draws the
    content on top. A later step restores the background, draws the content and spines again and
    blits the region: the same operations in the same order, so every step gives exactly the
    picture a full draw of the explorer gives, at the cost of the images alone. (Only the
    antialiased edge pixels of the spines, drawn twice, differ from a plain ``canvas.draw()``.)

    When the ticks or labels of an Axes change too (a colorbar's range) but its box does not, and
    its decorated region overlaps no other Axes, that region is painted with the figure colour
    and the Axes drawn again there, the way the full draw would; anything else is a full draw.
    """

    #: Decorations kept per Axes (see :meth:`step`): a slider moved back and forth finds its
    #: ticks and labels already drawn. About 1 MB each for an explorer's main Axes.
    KEPT_DECORATIONS = 8

    def __init__(self, figure):
        self.figure = figure
        self.axes: list = []
        self._backgrounds: dict = {}
        self._regions: dict = {}
        self._axis_regions: dict = {}
        self._decorations: dict = {}

    def track(self, axes) -> None:
        for ax in axes:
            if ax not in self.axes:
                self.axes.append(ax)

    def _hidden_content(self, axes):
        hidden = [a for ax in axes for a in content_artists(ax) if not a.get_animated()]
        for artist in hidden:
            artist.set_animated(True)
        return hidden

    def full_draw(self) -> None:
        canvas = self.figure.canvas
        hidden = self._hidden_content(self.axes)
        try:
            # Agg's own draw: ipympl's canvas would send this picture, still without the content
            FigureCanvasAgg.draw(canvas)
        finally:
            for artist in hidden:
                artist.set_animated(False)
        renderer = canvas.get_renderer()
        # A full draw may follow a new layout, size or style: decorations drawn before are stale.
        self._decorations = {}
        # Every background first, then every content: regions may overlap.
        self._backgrounds = {ax: (decoration_signature(ax), canvas.copy_from_bbox(_frame_box(ax))) for ax in self.axes}
        self._regions = {ax: _decorated_region(ax, renderer) for ax in self.axes}
        self._axis_regions = {ax: _axis_regions(ax, renderer) for ax in self.axes}
        for ax in self.axes:
            _draw_content(ax, renderer)

    def _redecorable(self, axes) -> dict | None:
        """The Axes whose decoration changed, each with its new signature, the region it draws in
        now and its decoration drawn before in that state (or None), if each can be redrawn
        alone; else None."""
        if not all(ax in self._backgrounds for ax in axes) or set(self.figure.axes) - set(self.axes):
            return None
        signatures = {ax: decoration_signature(ax) for ax in self.axes}
        changed = [ax for ax in self.axes if self._backgrounds[ax][0] != signatures[ax]]
        if not changed:
            return {}
        figure = self.figure
        if figure.texts or figure.legends or getattr(figure, "_suptitle", None) is not None \
                or getattr(figure, "_supxlabel", None) is not None or getattr(figure, "_supylabel", None) is not None:
            return None
        renderer = figure.canvas.get_renderer()
        regions = {}
        for ax in changed:
            if ax not in axes or self._backgrounds[ax][0][0] != tuple(ax.bbox.bounds):
                return None  # not marked stale, or moved: draw everything
            kept = self._decorations.get(ax, {}).get(signatures[ax])
            alone = None if kept is not None else self._axis_alone(ax, signatures[ax], renderer)
            if kept is not None:
                now = kept[0]  # the region comes with the kept decoration
            elif alone is not None:
                now = Bbox.union([self._regions[ax], alone[1]])  # what it drew before, or that axis now
            else:
                # measured: get_tightbbox lays out every label, a third of a redecoration's cost
                now = _decorated_region(ax, renderer)
            regions[ax] = (signatures[ax], now, kept, alone)
            region = Bbox.union([now, self._regions[ax]])
            for other in self.axes:
                if other is not ax and (region.overlaps(self._regions[other]) or region.overlaps(_frame_box(other))):
                    return None
        return regions

    def _axis_alone(self, ax, signature, renderer):
        """``(name, region, axis regions)`` when only the x or only the y axis of ``ax`` changed
        since it was last drawn: ``region`` covers what that axis drew then and draws now. None
        otherwise (or when a secondary axis follows the changed limits)."""
        drawn = self._axis_regions.get(ax)
        if drawn is None or ax.child_axes:
            return None
        changed = {i for i, (before, now) in enumerate(zip(self._backgrounds[ax][0], signature)) if before != now}
        for name, part in _AXIS_PARTS.items():
            if changed and changed <= set(part) and name in drawn:
                regions = {**drawn, **_axis_regions(ax, renderer, names=(name,))}
                if name not in regions:
                    return None
                return name, Bbox.union([drawn[name], regions[name]]), regions
        return None

    def _draw_axis_alone(self, ax, name, region, paint, renderer) -> None:
        """Draw again the part of ``ax``'s decoration inside ``region`` (painted first with
        ``paint``, a patch of the figure colour), where only its ``name`` axis changed: that axis is drawn, with the ticks, spines
        and texts of the rest that reach into ``region``; the texts that do not are not rendered
        (the cost of a redecoration is mostly text). Outside ``region`` every pixel is put back
        as it was, so the frame, the other axis and the neighbours keep the full draw's pixels."""
        canvas = self.figure.canvas
        around = Bbox.union([self._regions[ax], region])
        # the frame without its content first: what is put back must be decoration alone, as the
        # background kept afterwards is
        canvas.restore_region(self._backgrounds[ax][1])
        before = canvas.copy_from_bbox(around)
        paint.draw(renderer)  # the figure colour over ``region``
        skipped = _texts_outside(ax, name, region, renderer)
        hidden = self._hidden_content([ax])
        for text in skipped:
            text.set_visible(False)
        try:
            ax.draw(renderer)
        finally:
            for artist in hidden:
                artist.set_animated(False)
            for text in skipped:
                text.set_visible(True)
        drawn = canvas.copy_from_bbox(region)
        canvas.restore_region(before)
        canvas.restore_region(drawn)

    def _keep_decoration(self, ax, signature, region) -> None:
        kept = self._decorations.setdefault(ax, {})
        kept.pop(signature, None)
        kept[signature] = (region, self.figure.canvas.copy_from_bbox(region), self._axis_regions.get(ax))
        while len(kept) > self.KEPT_DECORATIONS:
            del kept[next(iter(kept))]  # the least recently drawn

    def step(self, axes) -> bool:
        """Redraw ``axes`` without a full draw; False when only a full draw can be right."""
        changed = self._redecorable(axes)
        if changed is None:
            return False
        canvas = self.figure.canvas
        renderer = canvas.get_renderer()
        painted = []
        for ax, (signature, now, kept, alone) in changed.items():
            # Paint the old and new extent of this Axes, draw its frame, ticks and labels as the
            # full draw does (content hidden), keep that as its new background. A decoration
            # drawn before in the same state (same signature) is copied back instead of drawn:
            # the same pixels, at a tenth of the cost.
            region = Bbox.union([now, self._regions[ax]])
            patch = Rectangle((region.x0, region.y0), region.width, region.height, transform=IdentityTransform(),
                              facecolor=self.figure.get_facecolor(), edgecolor="none", linewidth=0,
                              antialiased=False)
            patch.set_figure(self.figure)
            if alone is None:
                patch.draw(renderer)
            if kept is not None:
                canvas.restore_region(kept[1])
                kept_here = self._decorations[ax]
                kept_here[signature] = kept_here.pop(signature)  # now the most recently used
                if kept[2] is not None:
                    self._axis_regions[ax] = kept[2]
                else:
                    self._axis_regions.pop(ax, None)
            elif alone is not None:
                name, changed_region, self._axis_regions[ax] = alone
                patch.set_bounds(changed_region.x0, changed_region.y0, changed_region.width, changed_region.height)
                self._draw_axis_alone(ax, name, changed_region, patch, renderer)
                self._keep_decoration(ax, signature, now)
            else:
                hidden = self._hidden_content([ax])
                try:
                    ax.draw(renderer)
                finally:
                    for artist in hidden:
                        artist.set_animated(False)
                self._axis_regions[ax] = _axis_regions(ax, renderer)
                self._keep_decoration(ax, signature, now)
            self._backgrounds[ax] = (signature, canvas.copy_from_bbox(_frame_box(ax)))
            self._regions[ax] = now
            painted.append(region)
        # Restoring one region must not erase the content of a neighbour whose region overlaps it
        # (a colorbar next to its image): such neighbours are redrawn too.
        todo = [ax for ax in self.axes if ax in axes]
        grown = True
        while grown:
            grown = False
            for ax in self.axes:
                if ax not in todo and any(_frame_box(ax).overlaps(_frame_box(other)) for other in todo):
                    todo.append(ax)
                    grown = True
        todo = [ax for ax in self.axes if ax in todo]
        for ax in todo:
            canvas.restore_region(self._backgrounds[ax][1])
        for ax in todo:
            _draw_content(ax, renderer)
        return True
