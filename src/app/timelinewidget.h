#pragma once

// The timeline: a lane per connection end with data bars, FIN/EOF/RST glyphs, the TCP state as a
// band under each lane and arrows between the ends. Draws only the visible range from
// TimelineModel, merging events closer than a few pixels.

#include "timelinemodel.h"
#include "timescale.h"

#include <QWidget>

namespace finscope {

class TimelineWidget : public QWidget
{
    Q_OBJECT
public:
    explicit TimelineWidget(QWidget *parent = nullptr);

    TimelineModel *model() { return &m_model; }
    void setStore(const EventStore *store);
    // Call after events were appended: re-indexes, follows live when on, repaints.
    void refresh();

    const TimeScale &scale() const { return m_scale; }
    void setScale(const TimeScale &scale);
    bool followLive() const { return m_follow; }
    void setFollowLive(bool on);
    qsizetype selectedEvent() const { return m_selected; }
    void setSelectedEvent(qsizetype index);
    // Colours for presenting: a high-contrast palette and larger glyphs.
    void setHighContrast(bool on);
    // Lanes that differ from another session (a replay against its recording): tinted red, their
    // label marked. An empty list clears the marks.
    void setMarkedLanes(const QList<std::pair<Side, quint32>> &lanes);
    bool isLaneMarked(Side side, quint32 conn) const;

    // Paints the whole session (fit-all, every lane) onto any painter: SVG and PNG export.
    void paintSession(QPainter &painter, const QSize &size) const;
    // The size that shows every lane at the given width.
    QSize exportSize(int width) const;

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
    struct Geometry
    {
        double axisHeight;
        double laneHeight;
        double labelWidth;
    };
    Geometry geometry() const;
    int laneAt(double y) const;
    double laneTop(int lane) const;
    qsizetype eventAt(const QPointF &pos) const;
    // One painting: the widget on screen, or an export at another size and scale.
    struct Frame
    {
        Geometry g;
        QSizeF size;
        TimeScale scale;
        qsizetype selected;
        double laneTop(int lane) const;
    };
    void paintFrame(QPainter &p, const Frame &f) const;
    void paintAxis(QPainter &p, const Frame &f) const;
    void
    paintLane(QPainter &p, const Frame &f, int lane, const std::vector<TimelineMark> &marks) const;
    void paintStates(QPainter &p, const Frame &f, int lane, double top) const;
    void paintArrows(QPainter &p,
                     const Frame &f,
                     const std::vector<std::vector<TimelineMark>> &marks) const;
    QColor stateColor(TcpState state) const;
    QColor kindColor(EventKind kind) const;

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
