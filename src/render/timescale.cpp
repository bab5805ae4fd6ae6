#include "render/timescale.h"

#include <algorithm>
#include <cmath>

namespace finscope {

TimeScale TimeScale::fit(qint64 t0, qint64 t1, double left, double width)
{
    TimeScale s;
    s.left = left;
    const double span = std::max<double>(double(t1 - t0), 1000.0);
    const double usable = std::max(width, 10.0);
    s.nsPerPixel = std::clamp(span * 1.06 / usable, MinNsPerPixel, MaxNsPerPixel);
    s.startNs = t0 - qint64(span * 0.03);
    return s;
}

TimeScale TimeScale::zoomed(double factor, double anchorX) const
{
    TimeScale s = *this;
    const qint64 anchorT = t(anchorX);
    s.nsPerPixel = std::clamp(nsPerPixel / factor, MinNsPerPixel, MaxNsPerPixel);
    s.startNs = anchorT - qint64((anchorX - left) * s.nsPerPixel);
    return s;
}

TimeScale TimeScale::panned(double dx) const
{
    TimeScale s = *this;
    s.startNs -= qint64(dx * nsPerPixel);
    return s;
}

qint64 TimeScale::tickStepNs(double minPixels) const
{
    const double minNs = minPixels * nsPerPixel;
    double step = std::pow(10.0, std::floor(std::log10(std::max(minNs, 1.0))));
    for (const double m : {1.0, 2.0, 5.0, 10.0}) {
        if (step * m >= minNs)
            return std::max<qint64>(1, qint64(step * m));
    }
    return qint64(step * 10);
}

QString TimeScale::formatDuration(qint64 ns)
{
    const double a = std::abs(double(ns));
    const auto fmt = [](double v, const char *unit) {
        return QString::number(v, 'g', 4) + QLatin1Char(' ') + QString::fromUtf8(unit);
    };
    if (ns == 0)
        return QStringLiteral("0");
    if (a < 1e3)
        return fmt(double(ns), "ns");
    if (a < 1e6)
        return fmt(double(ns) / 1e3, "µs");
    if (a < 1e9)
        return fmt(double(ns) / 1e6, "ms");
    return fmt(double(ns) / 1e9, "s");
}

QString TimeScale::formatTick(qint64 ns, qint64 stepNs)
{
    if (ns == 0)
        return QStringLiteral("0");
    const double a = std::abs(double(ns));
    double unit = 1;
    const char *name = "ns";
    if (a >= 1e9) {
        unit = 1e9;
        name = "s";
    } else if (a >= 1e6) {
        unit = 1e6;
        name = "ms";
    } else if (a >= 1e3) {
        unit = 1e3;
        name = "µs";
    }
    const double step = std::max<double>(double(stepNs), 1) / unit;
    const int decimals = std::clamp(int(std::ceil(-std::log10(step) - 1e-9)), 0, 9);
    QString text = QString::number(double(ns) / unit, 'f', decimals);
    if (text.contains(u'.')) {
        while (text.endsWith(u'0'))
            text.chop(1);
        if (text.endsWith(u'.'))
            text.chop(1);
    }
    return text + QLatin1Char(' ') + QString::fromUtf8(name);
}

} // namespace finscope
