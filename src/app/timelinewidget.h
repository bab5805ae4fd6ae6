#pragma once

// The timeline on screen: zoom, pan, follow live, selection, hover and tooltips over a
// TimelineModel; the drawing itself is TimelinePainter's, the same painter the exports use.

#include "render/timelinemodel.h"
#include "render/timelinepainter.h"
#include "render/timescale.h"

#include <QWidget>

namespace finscope {

class TimelineWidget : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineWidget(QWidget *parent = nullptr);

    const TimelineModel *model() const { return &m_model; }
    // The session is not owned and must outlive the widget (or be replaced first). Its events
    // and endpoints make the model; peers are joined as their addresses become known.
    void setSession(const Session *session);
    // Call after events were appended: re-indexes, follows live when on, repaints.
    void refresh();

    const TimeScale &scale() const { return m_scale; }
    void setScale(const TimeScale &scale);
    bool followLive() const { return m_follow; }
    void setFollowLive(bool on);
    qsizetype selectedEvent() const { return m_selected; }
    void setSelectedEvent(qsizetype index);
    // Colours for presenting: a high-contrast palette and thicker strokes.
    void setHighContrast(bool on);
    // Lanes that differ from another session (a replay against its recording): tinted red, their
    // label marked. An empty list clears the marks.
    void setMarkedLanes(const QList<std::pair<Side, quint32>> &lanes);
    bool isLaneMarked(Side side, quint32 conn) const;

    // The painter as this widget draws (its palette, font, marked lanes), without the
    // selection: for SVG and PNG export.
    TimelinePainter painter() const;

    QSize sizeHint() const override;
    QSize minimumSizeHint() const override;

public slots:
    void zoomIn();
    void zoomOut();
    void fitAll();

signals:
    void eventClicked(qsizetype index);
    void eventHovered(qsizetype index); // -1 when nothing is under the mouse
    void followLiveChanged(bool on);

protected:
    void paintEvent(QPaintEvent *event) override;
    void wheelEvent(QWheelEvent *event) override;
    void mousePressEvent(QMouseEvent *event) override;
    void mouseMoveEvent(QMouseEvent *event) override;
    void mouseReleaseEvent(QMouseEvent *event) override;
    void keyPressEvent(QKeyEvent *event) override;
    void resizeEvent(QResizeEvent *event) override;
    bool event(QEvent *event) override;

private:
    TimelinePainter::Geometry geometry() const;
    qsizetype eventAt(const QPointF &pos) const;

    TimelineModel m_model;
    TimeScale m_scale;
    bool m_follow = true;
    bool m_fitted = false;
    bool m_showingAll = false; // fit-all and not zoomed or panned since
    bool m_highContrast = false;
    QList<std::pair<Side, quint32>> m_markedLanes;
    qsizetype m_selected = -1;
    QPointF m_dragFrom;
    bool m_dragging = false;
    bool m_dragMoved = false;
};

} // namespace finscope
