#pragma once

// finscope-cli's command line: picks the command and hands the rest of argv to that command's own
// CommandParser. --help and --version here, and COMMAND --help, only print text and exit 0.

#include "clicommand.h"

#include <QStringList>

#include <optional>

namespace finscope {

class CommandLine
{
public:
    // The commands, in the order --help lists them.
    static QStringList commands();
    // argv without the program name. On a usage error returns nullopt and sets *error to the
    // sentence, then a line naming the --help that explains it. For help and version the
    // command is "help" and text holds what to print.
    static std::optional<CliOptions> parse(const QStringList &args, QString *error);

private:
    // Each command's name and the summary its own parser gives.
    static QString commandList();
    static std::optional<CliOptions> parseCommand(const QString &command,
                                                  CommandParser &parser,
                                                  const QStringList &args,
                                                  QString *error);
};

} // namespace finscope
