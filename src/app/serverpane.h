#pragma once

// The server pane: bind address (127.0.0.1 unless the user picks another), port, Listen/Stop, the
// accepted connections, and the controls and auto-responder of the one selected.

#include <QWidget>

class QCheckBox;
class QComboBox;
class QLabel;
class QListWidget;
class QPushButton;
class QSpinBox;
class QStackedWidget;

namespace finscope {

class ConnectionPanel;
class Endpoint;
class Workbench;

class ServerPane : public QWidget
{
    Q_OBJECT
public:
    explicit ServerPane(Workbench *workbench, QWidget *parent = nullptr);

    QString bindAddress() const;
    ConnectionPanel *panel(int connection) const; // 1-based, as the list shows them
    ConnectionPanel *currentPanel() const;

public slots:
    bool startListening();
    void toggleListening();

signals:
    void hint(const QString &text);

private:
    void addConnection(Endpoint *endpoint);
    void updateListening();
    void updateList();
    void updateExposureWarning();

    Workbench *m_workbench;
    QComboBox *m_address;
    QSpinBox *m_port;
    QCheckBox *m_v6only;
    QPushButton *m_listen;
    QLabel *m_status;
    QLabel *m_exposure;
    QListWidget *m_connections;
    QStackedWidget *m_panels;
    QList<ConnectionPanel *> m_connectionPanels;
};

} // namespace finscope
