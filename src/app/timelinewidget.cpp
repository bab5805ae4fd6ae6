#include "timelinewidget.h"

#include "engine/session/eventformat.h"
#include "render/timelinestyle.h"

#include <QHelpEvent>
#include <QKeyEvent>
#include <QMouseEvent>
#include <QPainter>
#include <QToolTip>
#include <QWheelEvent>

#include <cmath>

namespace finscope {

TimelineWidget::TimelineWidget(QWidget *parent)
    : QWidget(parent)
{
    setMouseTracking(true);
    setFocusPolicy(Qt::StrongFocus);
    setAttribute(Qt::WA_OpaquePaintEvent);
}

QSize TimelineWidget::sizeHint() const
{
    const TimelinePainter::Geometry g = geometry();
    return QSize(800, int(g.axisHeight + 4 * g.laneHeight));
}

QSize TimelineWidget::minimumSizeHint() const
{
    const TimelinePainter::Geometry g = geometry();
    return QSize(300, int(g.axisHeight + g.laneHeight));
}

void TimelineWidget::setSession(const Session *session)
{
    m_model.setSession(session);
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
            m_scale = painter().fitAll(width());
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

TimelinePainter TimelineWidget::painter() const
{
    TimelinePainter painter(m_model, TimelineStyle(palette(), m_highContrast), font());
    painter.setMarkedLanes(m_markedLanes);
    return painter;
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
    m_scale = painter().fitAll(width());
    m_fitted = true;
    m_showingAll = true;
    update();
}

TimelinePainter::Geometry TimelineWidget::geometry() const
{
    return TimelinePainter::geometry(font());
}

qsizetype TimelineWidget::eventAt(const QPointF &pos) const
{
    return m_model.eventNear(painter().laneAt(pos.y()), m_scale, pos.x(), 6.0);
}

void TimelineWidget::paintEvent(QPaintEvent *)
{
    QPainter p(this);
    TimelinePainter timeline = painter();
    timeline.setSelectedEvent(m_selected);
    timeline.paint(p, QSizeF(size()), m_scale);
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
