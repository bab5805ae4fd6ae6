#pragma once

// finscope-cli diff A.json B.json: compares two sessions as a replay is compared with its
// recording (SessionComparison) and prints the differences, then the races.

#include "engine/session/sessioncomparison.h"

#include <QStringList>
#include <QTextStream>

#include <optional>

namespace finscope {

class CommandParser;

struct DiffOptions
{
    QStringList files; // the two sessions
    SessionComparison::Options compare;
};

class DiffCommand
{
public:
    // Reads the arguments after "diff" with parser, which answers --help (nullopt,
    // parser.helpRequested()).
    static std::optional<DiffOptions>
    parse(CommandParser &parser, const QStringList &args, QString *error);
    // Exit code: 0 equivalent, 1 different, 3 a file that cannot be read.
    static int run(const DiffOptions &options, QTextStream &out, QTextStream &err);
};

} // namespace finscope
