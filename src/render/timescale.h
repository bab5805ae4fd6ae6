#pragma once

// Maps session time to timeline pixels and back. A value type with no widget behind it, so zoom,
// pan and axis ticks are tested directly.

#include <QString>
#include <QtGlobal>

namespace finscope {

struct TimeScale
{
    qint64 startNs = 0;      // the time at x == left
    double nsPerPixel = 1e6; // zoom
    double left = 0;         // where the plot area starts

    static constexpr double MinNsPerPixel = 1.0;
    static constexpr double MaxNsPerPixel = 1e12;

    double x(qint64 tNs) const { return left + double(tNs - startNs) / nsPerPixel; }
    qint64 t(double x) const { return startNs + qint64((x - left) * nsPerPixel); }
    // The time span [t0, t1] filling width pixels, with a small margin either side.
    static TimeScale fit(qint64 t0, qint64 t1, double left, double width);
    // Zoomed by factor (> 1 zooms in) keeping the time under anchorX where it is.
    TimeScale zoomed(double factor, double anchorX) const;
    TimeScale panned(double dx) const;
    // An axis step of 1, 2 or 5 times a power of ten nanoseconds, at least minPixels apart.
    qint64 tickStepNs(double minPixels) const;
    // "0", "250 ns", "1.5 µs", "12 ms", "3.25 s"
    static QString formatDuration(qint64 ns);
    // An axis label: as formatDuration, with as many decimals as ticks stepNs apart need to read
    // differently (8.5725 s beside 8.573 s, not 8.573 s twice).
    static QString formatTick(qint64 ns, qint64 stepNs);
};

} // namespace finscope
