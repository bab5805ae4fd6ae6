#pragma once

// One finscope-cli command's QCommandLineParser: its synopsis, options and --help text come from
// one description, and a usage error is one sentence naming the argument as it was typed.

#include <QCommandLineOption>
#include <QCommandLineParser>
#include <QStringList>

#include <optional>

namespace finscope {

class CommandParser
{
public:
    CommandParser();

    // name as typed after finscope-cli ("client", "scenario run"), one line on what it does.
    void setCommand(const QString &name, const QString &summary);
    // A positional argument: its name and description for --help, and how the usage line shows
    // it ("ACTION...", "[ADDR:]PORT").
    void addArgument(const QString &name, const QString &description, const QString &syntax);
    void addOption(const QCommandLineOption &option);
    // A paragraph printed under the usage line.
    void setDescription(const QString &text);
    // For the program's own parser: the first positional argument (the command) and everything
    // after it are left to the command's parser.
    void setStopAtFirstArgument();

    // Parses the arguments that follow the command's name: options anywhere (--opt value and
    // --opt=value), a lone - and everything after -- positional. False on --help (helpRequested())
    // or a usage error (*error set to one sentence).
    bool parse(const QStringList &args, QString *error);
    bool helpRequested() const { return m_helpRequested; }

    QString name() const { return m_name; }
    QString summary() const { return m_summary; }
    // "finscope-cli client [options] HOST:PORT ACTION..."
    QString synopsis() const;
    // The synopsis, the summary and description, then every option and argument.
    QString helpText() const;

    QStringList positionalArguments() const { return m_parser.positionalArguments(); }
    bool isSet(const QCommandLineOption &option) const { return m_parser.isSet(option); }
    QString value(const QCommandLineOption &option) const { return m_parser.value(option); }
    // The option's value as a whole number from min to max; nullopt and *error otherwise.
    std::optional<int>
    intValue(const QCommandLineOption &option, int min, int max, QString *error) const;

    // --timeout SEC, one option and one reading for every command that runs: seconds with a
    // fraction (0.5), from 1 ms to 24 h. description says what it bounds and its default.
    void addTimeout(const QString &description);
    bool timeoutGiven() const { return m_parser.isSet(m_timeout); }
    // The --timeout given, in milliseconds; nullopt and *error when it is not such a duration.
    std::optional<qint64> timeoutMs(QString *error) const;
    // A duration in the words --timeout takes: "30 s", "0.5 s".
    static QString seconds(qint64 ms);

private:
    QCommandLineParser m_parser;
    QCommandLineOption m_help;
    QCommandLineOption m_timeout;
    QString m_name;
    QString m_summary;
    QString m_description;
    QStringList m_syntax;
    bool m_hasOptions = false;
    bool m_helpRequested = false;
};

} // namespace finscope
