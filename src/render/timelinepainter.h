#pragma once

// Paints a TimelineModel over a time range onto any QPainter: the widget on screen, a QImage for
// PNG, a QSvgGenerator for SVG. Marks, arrowheads and glyphs are sized in ems of the font, so a
// larger font (presenter mode) enlarges them with the text; labels are elided to the room
// before the next mark. Only the visible range is drawn, events closer than a few pixels merged.

#include "render/timelinemodel.h"
#include "render/timelinestyle.h"
#include "render/timescale.h"

#include <QFont>
#include <QList>
#include <QSet>
#include <QSize>

#include <utility>
#include <vector>

class QPainter;

namespace finscope {

class TimelinePainter
{
public:
    // Where things go, all from the font's metrics.
    struct Geometry
    {
        double em = 0; // the font's line height: the unit of every mark
        double axisHeight = 0;
        double laneHeight = 0;
        double labelWidth = 0;

        double laneTop(int lane) const { return axisHeight + lane * laneHeight; }
    };
    // Same-kind events closer than this many pixels become one mark.
    static constexpr double MergePx = 4.0;

    TimelinePainter(const TimelineModel &model, const TimelineStyle &style, const QFont &font);

    static Geometry geometry(const QFont &font);
    const Geometry &layout() const { return m_geometry; }
    const QFont &font() const { return m_font; }
    const TimelineStyle &style() const { return m_style; }

    void setSelectedEvent(qsizetype index) { m_selected = index; }
    // Lanes that differ from another session: tinted, their label marked.
    void setMarkedLanes(const QList<std::pair<Side, quint32>> &lanes);
    bool isLaneMarked(Side side, quint32 conn) const;

    // The lane under y, or -1.
    int laneAt(double y) const;
    // The scale that shows the whole session in width pixels.
    TimeScale fitAll(double width) const;
    // The size that shows every lane at the given width.
    QSize sessionSize(int width) const;

    void paint(QPainter &p, const QSizeF &size, const TimeScale &scale) const;
    // The whole session, every lane, fitted to size: SVG and PNG export.
    void paintSession(QPainter &p, const QSize &size) const;

private:
    struct Frame
    {
        QSizeF size;
        TimeScale scale;
    };
    void paintAxis(QPainter &p, const Frame &f) const;
    void
    paintLane(QPainter &p, const Frame &f, int lane, const std::vector<TimelineMark> &marks) const;
    void paintStates(QPainter &p, const Frame &f, int lane, double top) const;
    void paintArrows(QPainter &p,
                     const Frame &f,
                     const std::vector<std::vector<TimelineMark>> &marks) const;

    const TimelineModel &m_model;
    TimelineStyle m_style;
    QFont m_font;
    Geometry m_geometry;
    qsizetype m_selected = -1;
    QSet<quint64> m_marked; // side and conn: looked up for every lane painted
};

} // namespace finscope
