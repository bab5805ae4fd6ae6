#include "render/timelinepainter.h"

#include <QCoreApplication>
#include <QFontMetricsF>
#include <QPainter>
#include <QPainterPath>

#include <algorithm>
#include <cmath>
#include <limits>

namespace finscope {

namespace {

constexpr int MaxArrows = 400;

QString tr(const char *text)
{
    return QCoreApplication::translate("TimelinePainter", text);
}

QString glyphLabel(const Event &e)
{
    switch (e.kind) {
    case EventKind::Shutdown:
        return e.how == ShutdownHow::Read    ? QStringLiteral("SHUT_RD")
               : e.how == ShutdownHow::Write ? QStringLiteral("FIN (SHUT_WR)")
                                             : QStringLiteral("FIN (SHUT_RDWR)");
    case EventKind::Eof:
        return QStringLiteral("EOF");
    case EventKind::Rst:
        return QStringLiteral("RST");
    case EventKind::Error:
        return QStringLiteral("error");
    case EventKind::Close:
        return e.bytes > 0 ? QStringLiteral("close → RST") : QStringLiteral("close");
    case EventKind::Abort:
        return QStringLiteral("abort (RST)");
    case EventKind::Connect:
        return QStringLiteral("connect");
    case EventKind::Accept:
        return QStringLiteral("accept");
    case EventKind::Listen:
        return QStringLiteral("listen");
    default:
        return QString();
    }
}

// The text cut to room pixels; nothing when not even a character and the ellipsis fit, since a
// lone "…" says nothing.
QString fitted(const QFontMetricsF &fm, double em, const QString &text, double room)
{
    // Dense spans leave a few pixels between marks: skip measuring at all.
    if (text.isEmpty() || room < em)
        return QString();
    if (fm.horizontalAdvance(text) <= room)
        return text;
    const QString elided = fm.elidedText(text, Qt::ElideRight, room);
    return elided.size() > 1 ? elided : QString();
}

} // namespace

TimelinePainter::TimelinePainter(const TimelineModel &model,
                                 const TimelineStyle &style,
                                 const QFont &font)
    : m_model(model)
    , m_style(style)
    , m_font(font)
    , m_geometry(geometry(font))
{}

TimelinePainter::Geometry TimelinePainter::geometry(const QFont &font)
{
    const QFontMetricsF fm(font);
    Geometry g;
    g.em = fm.height();
    g.axisHeight = g.em * 1.8;
    g.laneHeight = g.em * 5.0;
    g.labelWidth = fm.horizontalAdvance(QStringLiteral("server 00 ")) + g.em;
    return g;
}

namespace {

quint64 markKey(Side side, quint32 conn)
{
    return quint64(quint8(side)) << 32 | conn;
}

} // namespace

void TimelinePainter::setMarkedLanes(const QList<std::pair<Side, quint32>> &lanes)
{
    m_marked.clear();
    for (const auto &[side, conn] : lanes)
        m_marked.insert(markKey(side, conn));
}

bool TimelinePainter::isLaneMarked(Side side, quint32 conn) const
{
    return m_marked.contains(markKey(side, conn));
}

int TimelinePainter::laneAt(double y) const
{
    if (y < m_geometry.axisHeight)
        return -1;
    const int lane = int((y - m_geometry.axisHeight) / m_geometry.laneHeight);
    return lane < int(m_model.lanes().size()) ? lane : -1;
}

TimeScale TimelinePainter::fitAll(double width) const
{
    return TimeScale::fit(m_model.startNs(),
                          std::max(m_model.endNs(), m_model.startNs() + 1000),
                          m_geometry.labelWidth,
                          width - m_geometry.labelWidth);
}

QSize TimelinePainter::sessionSize(int width) const
{
    const int lanes = std::max(int(m_model.lanes().size()), 1);
    return QSize(width, int(std::ceil(m_geometry.axisHeight + lanes * m_geometry.laneHeight)) + 1);
}

void TimelinePainter::paintSession(QPainter &p, const QSize &size) const
{
    // The whole session, every lane: what is on screen may be zoomed in.
    TimelinePainter whole = *this;
    whole.m_selected = -1;
    whole.paint(p, QSizeF(size), fitAll(size.width()));
}

void TimelinePainter::paint(QPainter &p, const QSizeF &size, const TimeScale &scale) const
{
    const Frame f{size, scale};
    const QRectF all(QPointF(0, 0), f.size);
    p.save();
    p.setFont(m_font);
    p.fillRect(all, m_style.palette().color(QPalette::Base));
    if (!m_model.store() || m_model.lanes().empty()) {
        p.setPen(m_style.palette().color(QPalette::PlaceholderText));
        p.drawText(
            all, Qt::AlignCenter, tr("The timeline fills in as the connection does things."));
        p.restore();
        return;
    }
    p.setRenderHint(QPainter::Antialiasing);
    std::vector<std::vector<TimelineMark>> marks(m_model.lanes().size());
    for (int lane = 0; lane < int(m_model.lanes().size()); ++lane) {
        if (m_geometry.laneTop(lane) > f.size.height())
            break;
        marks[size_t(lane)]
            = m_model.marks(lane, f.scale, m_geometry.labelWidth, f.size.width(), MergePx);
        paintLane(p, f, lane, marks[size_t(lane)]);
    }
    paintArrows(p, f, marks);
    paintAxis(p, f);
    p.restore();
}

void TimelinePainter::paintAxis(QPainter &p, const Frame &f) const
{
    const Geometry &g = m_geometry;
    const QPalette &palette = m_style.palette();
    p.save();
    p.fillRect(QRectF(0, 0, f.size.width(), g.axisHeight), palette.color(QPalette::Window));
    const QFontMetricsF fm(m_font);
    const qint64 step
        = f.scale.tickStepNs(fm.horizontalAdvance(QStringLiteral("000.00 ms")) + g.em * 1.2);
    // Session time, the same clock as the event table.
    const qint64 first = f.scale.t(g.labelWidth);
    qint64 t = first >= 0 ? (first / step + 1) * step : (first / step) * step;
    p.setPen(palette.color(QPalette::WindowText));
    const double tick = g.em * 0.3;
    for (; f.scale.x(t) < f.size.width(); t += step) {
        const double x = f.scale.x(t);
        p.drawLine(QPointF(x, g.axisHeight - tick), QPointF(x, g.axisHeight));
        p.drawText(QPointF(x + tick * 0.6, g.axisHeight - tick * 1.4),
                   TimeScale::formatTick(t, step));
    }
    p.drawText(QRectF(g.em * 0.25, 0, g.labelWidth - g.em * 0.5, g.axisHeight),
               Qt::AlignVCenter,
               tr("time"));
    p.drawLine(QPointF(0, g.axisHeight), QPointF(f.size.width(), g.axisHeight));
    p.restore();
}

void TimelinePainter::paintStates(QPainter &p, const Frame &f, int laneIndex, double top) const
{
    const Geometry &g = m_geometry;
    const TimelineLane &lane = m_model.lanes()[size_t(laneIndex)];
    const QFontMetricsF fm(m_font);
    const double pad = g.em * 0.2;
    const double h = g.em + pad;
    const double y = top + g.laneHeight - h - pad;
    for (size_t i = 0; i < lane.states.size(); ++i) {
        const TimelineLane::Segment &segment = lane.states[i];
        const qint64 end = m_model.segmentEndNs(lane, i);
        const double x0 = std::max(f.scale.x(segment.startNs), g.labelWidth);
        const double x1 = std::min(f.scale.x(end), double(f.size.width()));
        if (x1 < g.labelWidth || x0 > f.size.width())
            continue;
        const double w = std::max(x1 - x0, 2.0);
        const QRectF r(x0, y, w, h);
        p.fillRect(r, m_style.stateBand(segment.state));
        if (!segment.endKnown && i + 1 == lane.states.size()) {
            // Last seen here, end unknown (no timer recorded): a hatched em says so rather than a
            // band that runs on.
            p.fillRect(QRectF(x0 + w, y, g.em, h),
                       QBrush(m_style.stateBand(segment.state), Qt::BDiagPattern));
        }
        const QString name = fitted(fm, g.em, stateName(segment.state), w - 2 * pad);
        if (!name.isEmpty()) {
            p.setPen(m_style.stateBandText());
            p.drawText(r.adjusted(pad, 0, -pad, 0), Qt::AlignVCenter | Qt::AlignLeft, name);
        }
    }
}

void TimelinePainter::paintLane(QPainter &p,
                                const Frame &f,
                                int laneIndex,
                                const std::vector<TimelineMark> &marks) const
{
    const Geometry &g = m_geometry;
    const QPalette &palette = m_style.palette();
    const TimelineLane &lane = m_model.lanes()[size_t(laneIndex)];
    const double top = g.laneTop(laneIndex);
    if (top > f.size.height())
        return;
    const QFontMetricsF fm(m_font);
    const double em = g.em;
    if (laneIndex % 2)
        p.fillRect(QRectF(0, top, f.size.width(), g.laneHeight),
                   palette.color(QPalette::AlternateBase));
    p.setPen(palette.color(QPalette::Mid));
    p.drawLine(QPointF(0, top + g.laneHeight), QPointF(f.size.width(), top + g.laneHeight));
    const bool marked = isLaneMarked(lane.side, lane.conn);
    if (marked) {
        p.fillRect(QRectF(0, top, f.size.width(), g.laneHeight), m_style.markedLaneTint());
        p.fillRect(QRectF(0, top, em * 0.25, g.laneHeight), m_style.markedLaneEdge());
    }
    p.setPen(marked ? m_style.bad() : palette.color(QPalette::Text));
    const QString label = QStringLiteral("%1 %2").arg(sideName(lane.side)).arg(lane.conn);
    const double labelLeft = em * 0.35;
    p.drawText(QRectF(labelLeft, top, g.labelWidth - em * 0.5, g.laneHeight * 0.6),
               Qt::AlignVCenter,
               label);
    if (marked) {
        p.drawText(QRectF(labelLeft, top + g.laneHeight * 0.35, g.labelWidth - em * 0.5, em),
                   Qt::AlignVCenter,
                   tr("differs"));
    }

    paintStates(p, f, laneIndex, top);
    p.save();
    p.setClipRect(QRectF(g.labelWidth, top, f.size.width() - g.labelWidth, g.laneHeight));
    const double base = top + g.laneHeight * 0.42;
    const double maxBar = g.laneHeight * 0.32;
    p.setPen(palette.color(QPalette::Mid));
    p.drawLine(QPointF(g.labelWidth, base), QPointF(f.size.width(), base));
    const EventStore &store = *m_model.store();
    const double gap = em * 0.2;
    const double stroke = em * (m_style.highContrast() ? 0.15 : 0.095);
    // Labels go in two rows, recv's under the line and the others over it; each row's labels
    // must not overlap.
    double lastLabelEnd[2]
        = {-std::numeric_limits<double>::infinity(), -std::numeric_limits<double>::infinity()};
    const auto row = [](const TimelineMark &m) { return m.kind == EventKind::Recv ? 1 : 0; };
    // The room a label starting at tx has: up to the next mark that stands apart from this one
    // (marks closer than an em overlap, and the first of them speaks for them), or to the clip.
    const auto room = [&](size_t i, double tx) {
        if (tx < lastLabelEnd[row(marks[i])])
            return 0.0;
        size_t next = i + 1;
        while (next < marks.size() && marks[next].x0 <= marks[i].x0 + em)
            ++next;
        return next < marks.size() ? marks[next].x0 - tx - gap
                                   : std::numeric_limits<double>::infinity();
    };
    const auto drawLabel = [&](size_t i, const QPointF &at, const QString &text) {
        p.drawText(at, text);
        lastLabelEnd[row(marks[i])] = at.x() + fm.horizontalAdvance(text) + gap;
    };
    for (size_t i = 0; i < marks.size(); ++i) {
        const TimelineMark &m = marks[i];
        const Event &e = store.at(m.first);
        const bool selected = m_selected >= m.first && m_selected <= m.last
                              && store.at(m_selected).side == lane.side
                              && store.at(m_selected).conn == lane.conn;
        const QColor color = m_style.kindColor(m.kind);
        if (m.kind == EventKind::Send || m.kind == EventKind::Recv) {
            const double scaled = std::log2(double(m.bytes) + 1) / 32.0;
            const double h = std::clamp(scaled, 0.15, 1.0) * maxBar;
            const double minW = em * 0.18;
            const double w = std::max(m.x1 - m.x0, minW);
            const QRectF bar = m.kind == EventKind::Send ? QRectF(m.x0 - minW / 2, base - h, w, h)
                                                         : QRectF(m.x0 - minW / 2, base, w, h);
            p.fillRect(bar, color);
            if (selected) {
                p.setPen(QPen(m_style.selectionColor(), em * 0.12));
                p.drawRect(bar.adjusted(-em * 0.12, -em * 0.12, em * 0.12, em * 0.12));
            }
            const double tx = m.x0 + gap;
            const QString text = fitted(
                fm,
                em,
                m.count > 1
                    ? QStringLiteral("%1 ×%2").arg(TimelineStyle::formatBytes(m.bytes)).arg(m.count)
                    : TimelineStyle::formatBytes(m.bytes),
                room(i, tx));
            if (!text.isEmpty()) {
                const double ty
                    = m.kind == EventKind::Send ? base - h - gap : base + h + fm.ascent();
                p.setPen(palette.color(QPalette::Text));
                drawLabel(i, QPointF(tx, ty), text);
            }
            continue;
        }
        // Glyphs: a flag for FIN, a circle for EOF, a diamond for RST and aborts.
        const double x = m.x0;
        p.setPen(QPen(color, selected ? em * 0.18 : stroke));
        p.setBrush(Qt::NoBrush);
        const double r = em * 0.42; // the diamond's and the error ring's half size
        switch (m.kind) {
        case EventKind::Shutdown: {
            p.drawLine(QPointF(x, base - maxBar), QPointF(x, base + maxBar * 0.6));
            if (e.how != ShutdownHow::Read) {
                QPainterPath flag;
                flag.moveTo(x, base - maxBar);
                flag.lineTo(x + em * 0.6, base - maxBar + em * 0.24);
                flag.lineTo(x, base - maxBar + em * 0.48);
                p.fillPath(flag, color);
            }
            break;
        }
        case EventKind::Eof:
            p.drawEllipse(QPointF(x, base), em * 0.3, em * 0.3);
            break;
        case EventKind::Rst:
        case EventKind::Abort: {
            QPainterPath diamond;
            diamond.moveTo(x, base - r);
            diamond.lineTo(x + r, base);
            diamond.lineTo(x, base + r);
            diamond.lineTo(x - r, base);
            diamond.closeSubpath();
            p.fillPath(diamond, color);
            break;
        }
        case EventKind::Error:
            p.drawText(QPointF(x - fm.horizontalAdvance(u'!') / 2, base + fm.ascent() / 2),
                       QStringLiteral("!"));
            p.drawEllipse(QPointF(x, base), r, r);
            break;
        case EventKind::Close:
            p.drawRect(QRectF(x - em * 0.24, base - em * 0.24, em * 0.48, em * 0.48));
            break;
        default:
            p.setBrush(color);
            p.drawEllipse(QPointF(x, base), em * 0.18, em * 0.18);
            break;
        }
        QString text = glyphLabel(e);
        if (m.count > 1 && !text.isEmpty())
            text += QStringLiteral(" ×%1").arg(m.count);
        const double tx = x + em * 0.5;
        text = fitted(fm, em, text, room(i, tx));
        if (!text.isEmpty()) {
            p.setPen(color);
            drawLabel(i, QPointF(tx, base - maxBar * 0.55), text);
        }
    }
    p.restore();
}

void TimelinePainter::paintArrows(QPainter &p,
                                  const Frame &f,
                                  const std::vector<std::vector<TimelineMark>> &laneMarks) const
{
    const Geometry &g = m_geometry;
    const EventStore &store = *m_model.store();
    p.save();
    p.setClipRect(
        QRectF(g.labelWidth, g.axisHeight, f.size.width() - g.labelWidth, f.size.height()));
    const QColor c = m_style.arrowColor();
    const double head = g.em * 0.47;
    int drawn = 0;
    const auto arrow = [&](qsizetype from, qsizetype to, bool dashed) {
        const Event &a = store.at(from);
        const Event &b = store.at(to);
        const int la = m_model.laneOf(a.side, a.conn);
        const int lb = m_model.laneOf(b.side, b.conn);
        const QPointF p0(f.scale.x(a.tNs), g.laneTop(la) + g.laneHeight * 0.42);
        const QPointF p1(f.scale.x(b.tNs), g.laneTop(lb) + g.laneHeight * 0.42);
        p.setPen(QPen(c, g.em * 0.07, dashed ? Qt::DashLine : Qt::SolidLine));
        p.drawLine(p0, p1);
        const double angle = std::atan2(p1.y() - p0.y(), p1.x() - p0.x());
        QPainterPath path;
        path.moveTo(p1);
        path.lineTo(p1 - QPointF(std::cos(angle - 0.4) * head, std::sin(angle - 0.4) * head));
        path.lineTo(p1 - QPointF(std::cos(angle + 0.4) * head, std::sin(angle + 0.4) * head));
        path.closeSubpath();
        p.fillPath(path, c);
        ++drawn;
    };
    for (int lane = 0; lane < int(m_model.lanes().size()) && drawn < MaxArrows; ++lane) {
        if (m_model.lanes()[size_t(lane)].peer < 0)
            continue;
        for (const TimelineMark &m : laneMarks[size_t(lane)]) {
            if (drawn >= MaxArrows)
                break;
            const Event &e = store.at(m.first);
            if (m.kind == EventKind::Send && m.count == 1) {
                if (const qsizetype recv = m_model.matchingRecv(m.first); recv >= 0)
                    arrow(m.first, recv, false);
            } else if ((m.kind == EventKind::Shutdown && e.how != ShutdownHow::Read)
                       || (m.kind == EventKind::Close && e.bytes == 0)) {
                if (const qsizetype eof = m_model.matchingEof(m.first); eof >= 0)
                    arrow(m.first, eof, true);
            }
        }
    }
    p.restore();
}

} // namespace finscope
