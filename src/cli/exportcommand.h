#pragma once

// finscope-cli export FILE --to text|python OUT [--side client|server]: writes a recorded session
// as a plain-text timeline (SessionTextExport) or as a Python socket script (PythonExport).

#include "event.h"

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace finscope {

struct ExportOptions
{
    QString file;
    QString format; // text, python
    QString out;    // "-" is stdout
    std::optional<Side> side;

    static std::optional<ExportOptions> parse(const QStringList &args, QString *error);
};

class ExportCommand
{
public:
    // The formats this finscope-cli writes.
    static QStringList formats();
    // Exit code: 0 written, 3 a file that cannot be read or written, or nothing to export.
    static int run(const ExportOptions &options, QTextStream &out, QTextStream &err);
};

} // namespace finscope
