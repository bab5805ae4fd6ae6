#pragma once

// Every colour FinScope draws with and every byte-size text it shows, in one place: the timeline,
// the connection badges, the event table and the windows' verdicts all ask it, so one state or
// one event reads the same hue everywhere, on a light palette and on a dark one.

#include "engine/core/event.h"

#include <QColor>
#include <QPalette>
#include <QString>

namespace finscope {

class TimelineStyle
{
public:
    explicit TimelineStyle(const QPalette &palette = QPalette(), bool highContrast = false);

    static bool isDark(const QPalette &palette);
    bool isDark() const { return isDark(m_palette); }
    const QPalette &palette() const { return m_palette; }
    // Presenting: stronger bands, thicker strokes and arrows.
    bool highContrast() const { return m_highContrast; }

    // The hue of a TCP state, the one every view derives its shade from.
    static QColor stateHue(TcpState state);
    // The band under a timeline lane: a shade of the hue that text on it stays readable on.
    QColor stateBand(TcpState state) const;
    QColor stateBandText() const;
    // A badge's background (a connection panel's state) and the text drawn on it.
    QColor stateBadge(TcpState state) const;
    static QColor badgeText(const QColor &background);
    // The view badge: a reset, or nothing alarming.
    QColor resetBadge() const;
    QColor quietBadge() const;

    // Marks on the timeline: data bars and glyphs.
    QColor kindColor(EventKind kind) const;
    // An event's text in a list or table; invalid for the kinds drawn in the palette's text.
    QColor kindTextColor(EventKind kind) const;
    QColor arrowColor() const;
    QColor selectionColor() const;
    // A lane that differs from another session's.
    QColor markedLaneTint() const;
    QColor markedLaneEdge() const;

    // A fact that held, a replay that matches.
    QColor good() const;
    // A fact that failed, a difference, a reset.
    QColor bad() const;
    // Text that is done with and steps back (a step already run, a scenario's id), still
    // readable.
    QColor faded() const;

    // "512 B", "1.5 KiB", "12.0 MiB", "2.00 GiB"
    static QString formatBytes(qint64 bytes);

private:
    QPalette m_palette;
    bool m_highContrast = false;
};

} // namespace finscope
