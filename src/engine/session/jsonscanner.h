#pragma once

// Walks a JSON document's syntax without building it: where each member of the top-level object
// lies, and each element of its array members, so that the loader can parse a session's millions
// of events (and thousands of endpoints) one at a time instead of holding the whole document
// (several times the file) in memory. It also refuses a key that appears twice in one object, which
// QJsonDocument accepts silently, keeping the last. Iterative, so deep nesting cannot exhaust the
// stack.

#include <QByteArrayView>
#include <QString>

#include <string>
#include <unordered_set>
#include <vector>

namespace finscope {

class JsonScanner
{
public:
    struct Range
    {
        qsizetype begin = 0;
        qsizetype end = 0; // one past the value's last byte
    };
    struct Member
    {
        std::string key;
        Range value;
        std::vector<Range> elements; // when the value is an array
    };

    // Deeper nesting is refused, as QJsonDocument refuses it.
    static constexpr int MaxDepth = 1024;

    // False on the first syntax error or repeated key; the document is then to be given to
    // QJsonDocument for its message, unless duplicateKey() says what is wrong.
    bool scan(QByteArrayView data);

    bool topIsObject() const { return m_topIsObject; }
    const std::vector<Member> &members() const { return m_members; }
    const Member *member(const std::string &key) const;
    // "events[3]: the key "t_ns" appears twice in one object", or empty.
    const QString &duplicateKey() const { return m_duplicate; }

private:
    struct Frame
    {
        bool object = false;
        qsizetype start = 0;
        qsizetype index = 0; // elements seen, in an array
        std::string key;     // the current member's key, in an object
        std::vector<std::string> keys;
        std::unordered_set<std::string> keySet; // once an object has many keys
    };

    void skipSpace();
    bool literal(const char *word);
    bool number();
    // Reads a string at m_pos; *decoded receives its text (UTF-8) when decoded is not null.
    bool string(std::string *decoded);
    bool key(Frame &frame);
    void valueEnded(qsizetype start);

    QByteArrayView m_data;
    qsizetype m_pos = 0;
    std::vector<Frame> m_stack; // frames are reused, keeping their vectors' capacity
    int m_depth = 0;
    bool m_topIsObject = false;
    std::vector<Member> m_members;
    std::vector<Range> m_elements; // of the top-level member being read
    QString m_duplicate;
};

} // namespace finscope
