#pragma once

// finscope-cli diff A.json B.json: compares two sessions as a replay is compared with its
// recording (SessionComparison) and prints the differences.

#include <QStringList>
#include <QTextStream>

namespace finscope {

class DiffCommand
{
public:
    static bool checkArguments(const QStringList &args, QString *error);
    // Exit code: 0 equivalent, 1 different, 3 a file that cannot be read.
    static int run(const QStringList &args, QTextStream &out, QTextStream &err);
};

} // namespace finscope
