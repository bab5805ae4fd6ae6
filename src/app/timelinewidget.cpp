#include "timelinewidget.h"

#include "engine/session/eventformat.h"
#include "palettecolors.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QPainterPath>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace finscope {

namespace {

constexpr double MergePx = 4.0;
constexpr int MaxArrows = 400;

QString formatBytes(qint64 bytes)
{
    if (bytes < 1024)
        return QStringLiteral("%1 B").arg(bytes);
    if (bytes < 1024 * 1024)
        return QStringLiteral("%1 KiB").arg(double(bytes) / 1024, 0, 'f', 1);
    if (bytes < qint64(1) << 30)
        return QStringLiteral("%1 MiB").arg(double(bytes) / (1024 * 1024), 0, 'f', 1);
    return QStringLiteral("%1 GiB").arg(double(bytes) / (1 << 30), 0, 'f', 2);
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

} // namespace

TimelineWidget::TimelineWidget(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

QSize TimelineWidget::sizeHint() const
{
    const Geometry g = geometry();
    return QSize(800, int(g.axisHeight + 4 * g.laneHeight));
}

QSize TimelineWidget::minimumSizeHint() const
{
    const Geometry g = geometry();
    return QSize(300, int(g.axisHeight + g.laneHeight));
}

void TimelineWidget::setStore(const EventStore *store)
{
    m_model.setStore(store);
    m_selected = -1;
    m_fitted = false;
    refresh();
}

void TimelineWidget::refresh()
{
    m_model.update();
    if (!m_fitted && m_model.endNs() > m_model.startNs()) {
        fitAll();
    } else if (m_follow && m_fitted) {
        const double right = width() - 12.0;
        if (m_scale.x(m_model.endNs()) > right || m_scale.x(m_model.startNs()) < 0)
            m_scale = TimeScale::fit(m_model.startNs(),
                                     m_model.endNs(),
                                     geometry().labelWidth,
                                     width() - geometry().labelWidth);
    }
    updateGeometry();
    update();
}

void TimelineWidget::setScale(const TimeScale &scale)
{
    m_scale = scale;
    m_fitted = true;
    m_showingAll = false;
    update();
}

void TimelineWidget::setFollowLive(bool on)
{
    if (m_follow == on)
        return;
    m_follow = on;
    if (on)
        fitAll();
    emit followLiveChanged(on);
}

void TimelineWidget::setSelectedEvent(qsizetype index)
{
    m_selected = index;
    if (index >= 0 && m_model.store() && index < m_model.store()->size()) {
        const double x = m_scale.x(m_model.store()->at(index).tNs);
        const double left = geometry().labelWidth;
        if (x < left || x > width()) {
            m_scale.startNs = m_model.store()->at(index).tNs
                              - qint64((width() - left) / 2 * m_scale.nsPerPixel);
            m_scale.left = left;
            m_showingAll = false;
            if (m_follow) {
                m_follow = false;
                emit followLiveChanged(false);
            }
        }
    }
    update();
}

void TimelineWidget::setHighContrast(bool on)
{
    m_highContrast = on;
    update();
}

void TimelineWidget::setMarkedLanes(const QList<std::pair<Side, quint32>> &lanes)
{
    m_markedLanes = lanes;
    update();
}

bool TimelineWidget::isLaneMarked(Side side, quint32 conn) const
{
    return m_markedLanes.contains(std::make_pair(side, conn));
}

void TimelineWidget::zoomIn()
{
    setScale(m_scale.zoomed(1.5, (geometry().labelWidth + width()) / 2));
}

void TimelineWidget::zoomOut()
{
    setScale(m_scale.zoomed(1 / 1.5, (geometry().labelWidth + width()) / 2));
}

void TimelineWidget::fitAll()
{
    const Geometry g = geometry();
    m_scale = TimeScale::fit(m_model.startNs(),
                             std::max(m_model.endNs(), m_model.startNs() + 1000),
                             g.labelWidth,
                             width() - g.labelWidth);
    m_fitted = true;
    m_showingAll = true;
    update();
}

TimelineWidget::Geometry TimelineWidget::geometry() const
{
    const QFontMetricsF fm(font());
    const double labelWidth = fm.horizontalAdvance(QStringLiteral("server 00 ")) + 16;
    return {fm.height() * 1.8, fm.height() * 5.0, labelWidth};
}

double TimelineWidget::laneTop(int lane) const
{
    const Geometry g = geometry();
    return g.axisHeight + lane * g.laneHeight;
}

int TimelineWidget::laneAt(double y) const
{
    const Geometry g = geometry();
    if (y < g.axisHeight)
        return -1;
    const int lane = int((y - g.axisHeight) / g.laneHeight);
    return lane < int(m_model.lanes().size()) ? lane : -1;
}

qsizetype TimelineWidget::eventAt(const QPointF &pos) const
{
    return m_model.eventNear(laneAt(pos.y()), m_scale, pos.x(), 6.0);
}

QColor TimelineWidget::stateColor(TcpState state) const
{
    const bool dark = palette().color(QPalette::Base).lightness() < 128;
    QColor c;
    switch (state) {
    case TcpState::Established:
        c = QColor(0x4c, 0xaf, 0x50);
        break;
    case TcpState::FinWait1:
    case TcpState::FinWait2:
        c = QColor(0x42, 0x85, 0xf4);
        break;
    case TcpState::CloseWait:
        c = QColor(0xff, 0x98, 0x00);
        break;
    case TcpState::LastAck:
    case TcpState::Closing:
        c = QColor(0xab, 0x47, 0xbc);
        break;
    case TcpState::TimeWait:
        c = QColor(0x00, 0x96, 0x88);
        break;
    case TcpState::Close:
        c = QColor(0x9e, 0x9e, 0x9e);
        break;
    default:
        c = QColor(0xbd, 0xbd, 0xbd);
    }
    if (m_highContrast)
        return c.darker(130);
    return dark ? c.darker(160) : c.lighter(150);
}

QColor TimelineWidget::kindColor(EventKind kind) const
{
    switch (kind) {
    case EventKind::Send:
        return QColor(0x1e, 0x88, 0xe5);
    case EventKind::Recv:
        return QColor(0x43, 0xa0, 0x47);
    case EventKind::Rst:
    case EventKind::Abort:
        return QColor(0x8b, 0x00, 0x00);
    case EventKind::Error:
        return QColor(0xe6, 0x51, 0x00);
    default:
        return palette().color(QPalette::Text);
    }
}

void TimelineWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    paintFrame(p, {geometry(), QSizeF(size()), m_scale, m_selected});
}

QSize TimelineWidget::exportSize(int width) const
{
    const Geometry g = geometry();
    const int lanes = std::max(int(m_model.lanes().size()), 1);
    return QSize(width, int(std::ceil(g.axisHeight + lanes * g.laneHeight)) + 1);
}

void TimelineWidget::paintSession(QPainter &painter, const QSize &size) const
{
    // The whole session, every lane, fitted to the target: what is on screen may be zoomed in.
    const Geometry g = geometry();
    const TimeScale scale = TimeScale::fit(m_model.startNs(),
                                           std::max(m_model.endNs(), m_model.startNs() + 1000),
                                           g.labelWidth,
                                           size.width() - g.labelWidth);
    paintFrame(painter, {g, QSizeF(size), scale, -1});
}

double TimelineWidget::Frame::laneTop(int lane) const
{
    return g.axisHeight + lane * g.laneHeight;
}

void TimelineWidget::paintFrame(QPainter &p, const Frame &f) const
{
    const QRectF all(QPointF(0, 0), f.size);
    p.fillRect(all, palette().color(QPalette::Base));
    if (!m_model.store() || m_model.lanes().empty()) {
        p.setPen(palette().color(QPalette::PlaceholderText));
        p.drawText(
            all, Qt::AlignCenter, tr("The timeline fills in as the connection does things."));
        return;
    }
    p.setRenderHint(QPainter::Antialiasing);
    std::vector<std::vector<TimelineMark>> marks(m_model.lanes().size());
    for (int lane = 0; lane < int(m_model.lanes().size()); ++lane) {
        if (f.laneTop(lane) > f.size.height())
            break;
        marks[size_t(lane)] = m_model.marks(lane, f.scale, f.g.labelWidth, f.size.width(), MergePx);
        paintLane(p, f, lane, marks[size_t(lane)]);
    }
    paintArrows(p, f, marks);
    paintAxis(p, f);
}

void TimelineWidget::paintAxis(QPainter &p, const Frame &f) const
{
    p.save();
    p.fillRect(QRectF(0, 0, f.size.width(), f.g.axisHeight), palette().color(QPalette::Window));
    const QFontMetricsF fm(font());
    const qint64 step = f.scale.tickStepNs(fm.horizontalAdvance(QStringLiteral("000.00 ms")) + 20);
    // Session time, the same clock as the event table.
    const qint64 first = f.scale.t(f.g.labelWidth);
    qint64 t = first >= 0 ? (first / step + 1) * step : (first / step) * step;
    p.setPen(palette().color(QPalette::WindowText));
    for (; f.scale.x(t) < f.size.width(); t += step) {
        const double x = f.scale.x(t);
        p.drawLine(QPointF(x, f.g.axisHeight - 5), QPointF(x, f.g.axisHeight));
        p.drawText(QPointF(x + 3, f.g.axisHeight - 7), TimeScale::formatTick(t, step));
    }
    p.drawText(QRectF(4, 0, f.g.labelWidth - 8, f.g.axisHeight), Qt::AlignVCenter, tr("time"));
    p.drawLine(QPointF(0, f.g.axisHeight), QPointF(f.size.width(), f.g.axisHeight));
    p.restore();
}

void TimelineWidget::paintStates(QPainter &p, const Frame &f, int laneIndex, double top) const
{
    const TimelineLane &lane = m_model.lanes()[size_t(laneIndex)];
    const QFontMetricsF fm(font());
    const double h = fm.height() + 4;
    const double y = top + f.g.laneHeight - h - 4;
    for (size_t i = 0; i < lane.states.size(); ++i) {
        const qint64 end
            = i + 1 < lane.states.size() ? lane.states[i + 1].startNs : m_model.endNs();
        double x0 = std::max(f.scale.x(lane.states[i].startNs), f.g.labelWidth);
        const double x1 = std::min(f.scale.x(end), double(f.size.width()));
        if (x1 < f.g.labelWidth || x0 > f.size.width())
            continue;
        const double w = std::max(x1 - x0, 2.0);
        const QRectF r(x0, y, w, h);
        p.fillRect(r, stateColor(lane.states[i].state));
        const QString name = stateName(lane.states[i].state);
        if (w > fm.horizontalAdvance(name) + 6) {
            p.setPen(m_highContrast ? Qt::white : palette().color(QPalette::Text));
            p.drawText(r.adjusted(3, 0, -3, 0), Qt::AlignVCenter | Qt::AlignLeft, name);
        }
    }
}

void TimelineWidget::paintLane(QPainter &p,
                               const Frame &f,
                               int laneIndex,
                               const std::vector<TimelineMark> &marks) const
{
    const TimelineLane &lane = m_model.lanes()[size_t(laneIndex)];
    const double top = f.laneTop(laneIndex);
    if (top > f.size.height())
        return;
    const QFontMetricsF fm(font());
    if (laneIndex % 2)
        p.fillRect(QRectF(0, top, f.size.width(), f.g.laneHeight),
                   palette().color(QPalette::AlternateBase));
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(QPointF(0, top + f.g.laneHeight), QPointF(f.size.width(), top + f.g.laneHeight));
    const bool marked = isLaneMarked(lane.side, lane.conn);
    if (marked) {
        p.fillRect(QRectF(0, top, f.size.width(), f.g.laneHeight), QColor(0xc6, 0x28, 0x28, 38));
        p.fillRect(QRectF(0, top, 4, f.g.laneHeight), QColor(0xc6, 0x28, 0x28));
    }
    p.setPen(marked ? badColor(palette()) : palette().color(QPalette::Text));
    const QString label = QStringLiteral("%1 %2").arg(sideName(lane.side)).arg(lane.conn);
    p.drawText(QRectF(6, top, f.g.labelWidth - 8, f.g.laneHeight * 0.6), Qt::AlignVCenter, label);
    if (marked) {
        p.drawText(QRectF(6, top + f.g.laneHeight * 0.35, f.g.labelWidth - 8, fm.height()),
                   Qt::AlignVCenter,
                   tr("differs"));
    }

    paintStates(p, f, laneIndex, top);
    p.save();
    p.setClipRect(QRectF(f.g.labelWidth, top, f.size.width() - f.g.labelWidth, f.g.laneHeight));
    const double base = top + f.g.laneHeight * 0.42;
    const double maxBar = f.g.laneHeight * 0.32;
    p.setPen(palette().color(QPalette::Mid));
    p.drawLine(QPointF(f.g.labelWidth, base), QPointF(f.size.width(), base));
    const EventStore &store = *m_model.store();
    double lastLabelEnd = -1e9;
    for (const TimelineMark &m : marks) {
        const Event &e = store.at(m.first);
        const bool selected = f.selected >= m.first && f.selected <= m.last
                              && store.at(f.selected).side == lane.side
                              && store.at(f.selected).conn == lane.conn;
        const QColor color = kindColor(m.kind);
        QString text;
        if (m.kind == EventKind::Send || m.kind == EventKind::Recv) {
            const double scaled = std::log2(double(m.bytes) + 1) / 32.0;
            const double h = std::clamp(scaled, 0.15, 1.0) * maxBar;
            const double w = std::max(m.x1 - m.x0, 3.0);
            const QRectF bar = m.kind == EventKind::Send ? QRectF(m.x0 - 1.5, base - h, w, h)
                                                         : QRectF(m.x0 - 1.5, base, w, h);
            p.fillRect(bar, color);
            text = m.count > 1 ? QStringLiteral("%1 ×%2").arg(formatBytes(m.bytes)).arg(m.count)
                               : formatBytes(m.bytes);
            if (selected) {
                p.setPen(QPen(palette().color(QPalette::Highlight), 2));
                p.drawRect(bar.adjusted(-2, -2, 2, 2));
            }
            const double ty = m.kind == EventKind::Send ? base - h - 3 : base + h + fm.ascent();
            if (m.x0 > lastLabelEnd) {
                p.setPen(palette().color(QPalette::Text));
                p.drawText(QPointF(m.x0 + 3, ty), text);
                lastLabelEnd = m.x0 + fm.horizontalAdvance(text) + 6;
            }
            continue;
        }
        // Glyphs: a flag for FIN, a circle for EOF, a diamond for RST and aborts.
        const double x = m.x0;
        QPen pen(color, selected ? 3 : (m_highContrast ? 2.5 : 1.6));
        p.setPen(pen);
        p.setBrush(Qt::NoBrush);
        switch (m.kind) {
        case EventKind::Shutdown: {
            p.drawLine(QPointF(x, base - maxBar), QPointF(x, base + maxBar * 0.6));
            if (e.how != ShutdownHow::Read) {
                QPainterPath flag;
                flag.moveTo(x, base - maxBar);
                flag.lineTo(x + 10, base - maxBar + 4);
                flag.lineTo(x, base - maxBar + 8);
                p.fillPath(flag, color);
            }
            break;
        }
        case EventKind::Eof:
            p.drawEllipse(QPointF(x, base), 5, 5);
            break;
        case EventKind::Rst:
        case EventKind::Abort: {
            QPainterPath diamond;
            diamond.moveTo(x, base - 7);
            diamond.lineTo(x + 7, base);
            diamond.lineTo(x, base + 7);
            diamond.lineTo(x - 7, base);
            diamond.closeSubpath();
            p.fillPath(diamond, color);
            break;
        }
        case EventKind::Error:
            p.drawText(QPointF(x - fm.horizontalAdvance(u'!') / 2, base + fm.ascent() / 2),
                       QStringLiteral("!"));
            p.drawEllipse(QPointF(x, base), 7, 7);
            break;
        case EventKind::Close:
            p.drawRect(QRectF(x - 4, base - 4, 8, 8));
            break;
        default:
            p.setBrush(color);
            p.drawEllipse(QPointF(x, base), 3, 3);
            break;
        }
        text = glyphLabel(e);
        if (m.count > 1)
            text += QStringLiteral(" ×%1").arg(m.count);
        if (x > lastLabelEnd && !text.isEmpty()) {
            p.setPen(color);
            p.drawText(QPointF(x + 8, base - maxBar * 0.55), text);
            lastLabelEnd = x + fm.horizontalAdvance(text) + 10;
        }
    }
    p.restore();
}

void TimelineWidget::paintArrows(QPainter &p,
                                 const Frame &f,
                                 const std::vector<std::vector<TimelineMark>> &laneMarks) const
{
    const EventStore &store = *m_model.store();
    p.save();
    p.setClipRect(
        QRectF(f.g.labelWidth, f.g.axisHeight, f.size.width() - f.g.labelWidth, f.size.height()));
    int drawn = 0;
    const auto arrow = [&](qsizetype from, qsizetype to, bool dashed) {
        const Event &a = store.at(from);
        const Event &b = store.at(to);
        const int la = m_model.laneOf(a.side, a.conn);
        const int lb = m_model.laneOf(b.side, b.conn);
        const QPointF p0(f.scale.x(a.tNs), f.laneTop(la) + f.g.laneHeight * 0.42);
        const QPointF p1(f.scale.x(b.tNs), f.laneTop(lb) + f.g.laneHeight * 0.42);
        QColor c = palette().color(QPalette::Text);
        c.setAlpha(m_highContrast ? 220 : 120);
        p.setPen(QPen(c, 1.2, dashed ? Qt::DashLine : Qt::SolidLine));
        p.drawLine(p0, p1);
        const double angle = std::atan2(p1.y() - p0.y(), p1.x() - p0.x());
        QPainterPath head;
        head.moveTo(p1);
        head.lineTo(p1 - QPointF(std::cos(angle - 0.4) * 8, std::sin(angle - 0.4) * 8));
        head.lineTo(p1 - QPointF(std::cos(angle + 0.4) * 8, std::sin(angle + 0.4) * 8));
        head.closeSubpath();
        p.fillPath(head, c);
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

void TimelineWidget::wheelEvent(QWheelEvent *event)
{
    const double steps = event->angleDelta().y() / 120.0;
    if (steps == 0)
        return;
    setScale(m_scale.zoomed(std::pow(1.25, steps), event->position().x()));
    event->accept();
}

void TimelineWidget::mousePressEvent(QMouseEvent *event)
{
    if (event->button() == Qt::LeftButton) {
        m_dragFrom = event->position();
        m_dragging = true;
        m_dragMoved = false;
    }
}

void TimelineWidget::mouseMoveEvent(QMouseEvent *event)
{
    if (m_dragging) {
        const double dx = event->position().x() - m_dragFrom.x();
        if (std::abs(dx) > 2 || m_dragMoved) {
            m_dragMoved = true;
            m_dragFrom = event->position();
            setScale(m_scale.panned(dx));
            if (m_follow) {
                m_follow = false;
                emit followLiveChanged(false);
            }
        }
        return;
    }
    emit eventHovered(eventAt(event->position()));
}

void TimelineWidget::mouseReleaseEvent(QMouseEvent *event)
{
    if (event->button() != Qt::LeftButton)
        return;
    m_dragging = false;
    if (!m_dragMoved) {
        const qsizetype index = eventAt(event->position());
        if (index >= 0) {
            m_selected = index;
            update();
            emit eventClicked(index);
        }
    }
}

void TimelineWidget::keyPressEvent(QKeyEvent *event)
{
    switch (event->key()) {
    case Qt::Key_Plus:
    case Qt::Key_Equal:
        zoomIn();
        break;
    case Qt::Key_Minus:
        zoomOut();
        break;
    case Qt::Key_0:
        fitAll();
        break;
    case Qt::Key_Left:
        setScale(m_scale.panned(width() / 8.0));
        break;
    case Qt::Key_Right:
        setScale(m_scale.panned(-width() / 8.0));
        break;
    default:
        QWidget::keyPressEvent(event);
    }
}

void TimelineWidget::resizeEvent(QResizeEvent *)
{
    // Showing everything stays so when the window is resized (or first laid out), zoomed or not.
    if (m_follow || !m_fitted || m_showingAll)
        fitAll();
}

bool TimelineWidget::event(QEvent *event)
{
    if (event->type() == QEvent::ToolTip) {
        auto *help = static_cast<QHelpEvent *>(event);
        const qsizetype index = eventAt(help->pos());
        if (index >= 0 && m_model.store())
            QToolTip::showText(help->globalPos(),
                               formatEvent(m_model.store()->at(index), *m_model.store()).trimmed(),
                               this);
        else
            QToolTip::hideText();
        return true;
    }
    return QWidget::event(event);
}

} // namespace finscope
