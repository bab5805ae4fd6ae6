#include "render/timelineexport.h"

#include "engine/core/outputfile.h"
#include "engine/core/terminaltext.h"
#include "render/timelinepainter.h"

#include <QBuffer>
#include <QGuiApplication>
#include <QImageWriter>
#include <QPainter>
#include <QScreen>
#include <QSvgGenerator>

#include <algorithm>
#include <cmath>

namespace finscope {

namespace {

QString tr(const char *text)
{
    return QCoreApplication::translate("TimelineExport", text);
}

// The resolution QFontMetricsF measures a font at: the primary screen's.
int screenDpi()
{
    const QScreen *screen = QGuiApplication::primaryScreen();
    return screen ? qRound(screen->logicalDotsPerInchY()) : 96;
}

// Text for the SVG's <title> and <desc>, which QSvgGenerator (Qt 6.4) writes as given: a file
// named Q&A.json would make the SVG malformed. Controls, which XML 1.0 cannot hold at all, are
// shown escaped as the terminal shows them, the two noncharacters it forbids as U+FFFD, and the
// markup characters as entities.
QString xmlText(const QString &text)
{
    QString shown = TerminalText::escaped(text);
    for (QChar &c : shown) {
        if (c.unicode() == 0xfffe || c.unicode() == 0xffff)
            c = QChar::ReplacementCharacter;
    }
    return shown.toHtmlEscaped();
}

} // namespace

QImage TimelineExport::image(const TimelinePainter &timeline, int width)
{
    const QSize whole = timeline.sessionSize(width);
    const int maxHeight
        = int(std::min<qint64>(MaxImageHeight, MaxImagePixels / std::max(width, 1)));
    QImage image(QSize(whole.width(), std::min(whole.height(), maxHeight)),
                 QImage::Format_ARGB32_Premultiplied);
    image.fill(Qt::white);
    QPainter painter(&image);
    timeline.paintSession(painter, image.size());
    if (whole.height() <= maxHeight)
        return image;
    // The lanes that fit above a line of text; the painter stops at the image's edge anyway.
    const TimelinePainter::Geometry &g = timeline.layout();
    const double footer = g.em * 2;
    const int shown = std::max(0, int((maxHeight - g.axisHeight - footer) / g.laneHeight));
    const int total = int(std::lround((whole.height() - 1 - g.axisHeight) / g.laneHeight));
    const QRectF band(0, g.laneTop(shown), width, maxHeight - g.laneTop(shown));
    const QPalette &palette = timeline.style().palette();
    painter.fillRect(band, palette.color(QPalette::Window));
    painter.setFont(timeline.font());
    painter.setPen(palette.color(QPalette::WindowText));
    painter.drawText(band.adjusted(g.em * 0.5, 0, -g.em * 0.5, 0),
                     Qt::AlignVCenter | Qt::TextWordWrap,
                     tr("%1 more lanes not drawn: a PNG stops at %2 pixels. Export to SVG for "
                        "every lane.")
                         .arg(total - shown)
                         .arg(maxHeight));
    return image;
}

std::optional<QByteArray>
TimelineExport::png(const TimelinePainter &timeline, QString *error, int width)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    QImageWriter writer(&buffer, "png");
    if (!writer.write(image(timeline, width))) {
        *error = tr("cannot make a PNG of the timeline: %1").arg(writer.errorString());
        return std::nullopt;
    }
    return data;
}

std::optional<QByteArray> TimelineExport::svg(const TimelinePainter &timeline,
                                              const QString &title,
                                              QString *error,
                                              int width)
{
    QByteArray data;
    QBuffer buffer(&data);
    buffer.open(QIODevice::WriteOnly);
    const QSize size = timeline.sessionSize(width);
    QSvgGenerator svg;
    svg.setOutputDevice(&buffer);
    svg.setSize(size);
    svg.setViewBox(QRect(QPoint(0, 0), size));
    // The layout is measured with the font at the screen's resolution; text in the SVG must come
    // out the same size, not at the generator's default 72 dpi.
    svg.setResolution(screenDpi());
    svg.setTitle(xmlText(title));
    svg.setDescription(xmlText(tr("FinScope timeline")));
    QPainter painter;
    if (!painter.begin(&svg)) {
        *error = tr("cannot make an SVG of the timeline");
        return std::nullopt;
    }
    timeline.paintSession(painter, size);
    painter.end();
    return data;
}

bool TimelineExport::writePng(const TimelinePainter &timeline,
                              const QString &path,
                              QString *error,
                              int width)
{
    const auto data = png(timeline, error, width);
    return data && OutputFile::write(path, *data, error);
}

bool TimelineExport::writeSvg(const TimelinePainter &timeline,
                              const QString &path,
                              const QString &title,
                              QString *error,
                              int width)
{
    const auto data = svg(timeline, title, error, width);
    return data && OutputFile::write(path, *data, error);
}

} // namespace finscope
