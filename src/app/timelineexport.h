#pragma once

// Writes the timeline of a session as a picture: SVG for documents and slides, PNG for chats and
// tickets. Always the whole session (fit-all, every lane), whatever the window is zoomed to.

#include <QImage>
#include <QString>

namespace finscope {

class TimelineWidget;

class TimelineExport
{
public:
    static constexpr int DefaultWidth = 1600;

    static QImage image(const TimelineWidget &timeline, int width = DefaultWidth);
    // Both name the file and the problem in *error on failure.
    static bool writePng(const TimelineWidget &timeline,
                         const QString &path,
                         QString *error,
                         int width = DefaultWidth);
    static bool writeSvg(const TimelineWidget &timeline,
                         const QString &path,
                         const QString &title,
                         QString *error,
                         int width = DefaultWidth);
};

} // namespace finscope
