#pragma once

// Writes the timeline of a session as a picture: SVG for documents and slides, PNG for chats and
// tickets. Always the whole session (fit-all, every lane), whatever the window is zoomed to. The
// app (File > Export Timeline) and finscope-cli export both come here with a TimelinePainter, so
// both write the same picture.

#include <QByteArray>
#include <QImage>
#include <QString>

#include <optional>

namespace finscope {

class TimelinePainter;

class TimelineExport
{
public:
    static constexpr int DefaultWidth = 1600;
    // A PNG stops here (a 1.3 MB session once asked for 8.8 GB): the lanes that fit are drawn,
    // and a last line says how many more there are and that SVG has them all.
    static constexpr int MaxImageHeight = 16384;
    static constexpr qint64 MaxImagePixels = qint64(32) * 1024 * 1024; // 128 MB of ARGB

    static QImage image(const TimelinePainter &timeline, int width = DefaultWidth);
    // The file's bytes, for writing somewhere other than a file (finscope-cli writes to stdout).
    // On failure nullopt, with the problem in *error.
    static std::optional<QByteArray>
    png(const TimelinePainter &timeline, QString *error, int width = DefaultWidth);
    static std::optional<QByteArray> svg(const TimelinePainter &timeline,
                                         const QString &title,
                                         QString *error,
                                         int width = DefaultWidth);
    // Both name the file and the problem in *error on failure.
    static bool writePng(const TimelinePainter &timeline,
                         const QString &path,
                         QString *error,
                         int width = DefaultWidth);
    static bool writeSvg(const TimelinePainter &timeline,
                         const QString &path,
                         const QString &title,
                         QString *error,
                         int width = DefaultWidth);
};

} // namespace finscope
