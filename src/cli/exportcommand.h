#pragma once

// finscope-cli export FILE --to text|svg|png|python OUT [--side client|server] [--width N]: writes
// a recorded session as a plain-text timeline (SessionTextExport), a picture of the timeline
// (TimelineExport over a TimelinePainter, drawn off screen) or a Python socket script
// (PythonExport).

#include "engine/core/event.h"

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace finscope {

class CommandParser;

struct ExportOptions
{
    QString file;
    QString format; // text, svg, png, python
    QString out;    // "-" is stdout
    std::optional<Side> side;
    std::optional<int> width; // svg and png only; TimelineExport::DefaultWidth when not given

    // Reads the arguments after "export" with parser, which answers --help (nullopt,
    // parser.helpRequested()) from the same options.
    static std::optional<ExportOptions>
    parse(CommandParser &parser, const QStringList &args, QString *error);
};

class ExportCommand
{
public:
    // The formats this finscope-cli writes.
    static QStringList formats();
    // True for svg and png, which draw the timeline: they need a QGuiApplication (fonts and
    // painting). Takes the arguments after the program name, before any application object
    // exists, and parses them as the command will.
    static bool drawsTimeline(const QStringList &arguments);
    // Exit code: 0 written, 3 a file that cannot be read or written.
    // svg and png need a QGuiApplication.
    static int run(const ExportOptions &options, QTextStream &out, QTextStream &err);
};

} // namespace finscope
