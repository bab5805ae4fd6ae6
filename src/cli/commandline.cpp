#include "commandline.h"

#include "commandparser.h"
#include "diffcommand.h"

#include <QCoreApplication>

#include <algorithm>

namespace finscope {

namespace {

CliOptions printing(const QString &text)
{
    CliOptions options;
    options.command = QStringLiteral("help");
    options.text = text;
    return options;
}

QString versionText()
{
    return QStringLiteral("%1 %2\n").arg(QCoreApplication::applicationName(),
                                         QCoreApplication::applicationVersion());
}

} // namespace

QString CommandLine::commandList()
{
    qsizetype width = 0;
    for (const QString &command : commands())
        width = std::max(width, command.size());
    QString list;
    for (const QString &command : commands()) {
        CommandParser described;
        QString ignored;
        parseCommand(command, described, QStringList{QStringLiteral("--help")}, &ignored);
        list += QStringLiteral("  %1  %2\n").arg(command.leftJustified(width), described.summary());
    }
    return list;
}

QStringList CommandLine::commands()
{
    return {QStringLiteral("client"),
            QStringLiteral("server"),
            QStringLiteral("scenario"),
            QStringLiteral("show"),
            QStringLiteral("replay"),
            QStringLiteral("diff"),
            QStringLiteral("export")};
}

std::optional<CliOptions> CommandLine::parseCommand(const QString &command,
                                                    CommandParser &parser,
                                                    const QStringList &args,
                                                    QString *error)
{
    if (command == QLatin1StringView("replay")) {
        auto replay = ReplayOptions::parse(parser, args, error);
        if (!replay)
            return std::nullopt;
        CliOptions options;
        options.command = command;
        options.replay = std::move(replay);
        return options;
    }
    if (command == QLatin1StringView("export")) {
        auto exported = ExportOptions::parse(parser, args, error);
        if (!exported)
            return std::nullopt;
        CliOptions options;
        options.command = command;
        options.exported = std::move(exported);
        return options;
    }
    if (command == QLatin1StringView("diff")) {
        auto diff = DiffCommand::parse(parser, args, error);
        if (!diff)
            return std::nullopt;
        CliOptions options;
        options.command = command;
        options.diff = std::move(diff);
        return options;
    }
    return CliOptions::parse(command, parser, args, error);
}

std::optional<CliOptions> CommandLine::parse(const QStringList &args, QString *error)
{
    CommandParser top;
    top.setCommand(QString(),
                   QStringLiteral("Drives TCP connections through their teardown (FIN, EOF, RST) "
                                  "and records it."));
    top.addArgument(QStringLiteral("COMMAND"),
                    QStringLiteral("One of the commands above; 'finscope-cli COMMAND --help' "
                                   "shows its arguments and options."),
                    QStringLiteral("COMMAND [ARGUMENTS...]"));
    const QCommandLineOption version({QStringLiteral("v"), QStringLiteral("version")},
                                     QStringLiteral("Prints finscope-cli's version."));
    top.addOption(version);
    const auto help = [&top] {
        top.setDescription(
            QStringLiteral(
                "\nCommands:\n%1\nExit codes: 0 ok; 1 an expectation or a scenario's "
                "fact failed, the timeout\nhit, or a replay or diff found a difference; 2 "
                "usage; 3 a file that cannot be\nread or is not a valid session, or a "
                "network failure; 130, 143, 129 when SIGINT,\nSIGTERM, SIGHUP ended a run "
                "(what it recorded is saved first).")
                .arg(commandList()));
        return printing(top.helpText());
    };
    // Everything from the command on belongs to the command's own parser.
    top.setStopAtFirstArgument();
    if (!top.parse(args, error)) {
        if (top.helpRequested())
            return help();
        *error += QStringLiteral("\nTry 'finscope-cli --help'.");
        return std::nullopt;
    }
    if (top.isSet(version))
        return printing(versionText());
    const QStringList rest = top.positionalArguments();
    if (rest.isEmpty()) {
        *error = QStringLiteral("no command given\nTry 'finscope-cli --help'.");
        return std::nullopt;
    }
    QString command = rest.first();
    QStringList commandArgs = rest.mid(1);
    // "finscope-cli help [COMMAND]" as well as --help.
    if (command == QLatin1StringView("help")) {
        if (commandArgs.isEmpty())
            return help();
        command = commandArgs.first();
        commandArgs = QStringList{QStringLiteral("--help")};
    }
    if (!commands().contains(command)) {
        *error = QStringLiteral("unknown command '%1'\nTry 'finscope-cli --help'.").arg(command);
        return std::nullopt;
    }
    CommandParser parser;
    const auto options = parseCommand(command, parser, commandArgs, error);
    if (parser.helpRequested())
        return printing(parser.helpText());
    if (!options) {
        *error += QStringLiteral("\nTry 'finscope-cli %1 --help'.").arg(parser.name());
        return std::nullopt;
    }
    return options;
}

} // namespace finscope
