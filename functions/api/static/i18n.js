// German (default) and English. Every key carries both languages: [de, en]. The choice is kept in localStorage.

const KEY = "helpdesk.lang";

/* eslint-disable max-len */
const S = {
  // general
  "ok": ["OK", "OK"], "cancel": ["Abbrechen", "Cancel"], "close": ["Schließen", "Close"], "confirm": ["Bitte bestätigen", "Please confirm"],
  "save": ["Speichern", "Save"], "saved": ["Gespeichert", "Saved"], "delete": ["Löschen", "Delete"], "deleted": ["Gelöscht", "Deleted"],
  "remove": ["Entfernen", "Remove"], "apply": ["Anwenden", "Apply"], "retry": ["Erneut versuchen", "Try again"],
  "loading": ["Wird geladen …", "Loading …"], "yes": ["ja", "yes"], "no": ["nein", "no"], "none": ["– keine –", "– none –"],
  "all.f": ["alle", "all"], "all.m": ["alle", "all"], "all.n": ["alle", "all"], "language": ["Sprache", "Language"],
  "skip": ["Zum Inhalt springen", "Skip to content"], "logout": ["Abmelden", "Log out"],
  // navigation
  "nav.main": ["Hauptnavigation", "Main navigation"], "nav.tickets": ["Tickets", "Tickets"], "nav.new": ["Neues Ticket", "New ticket"],
  "nav.customers": ["Kunden", "Customers"], "nav.reports": ["Berichte", "Reports"], "nav.admin": ["Verwaltung", "Administration"],
  // errors
  "err.unknown": ["Unbekannter Fehler.", "Unknown error."],
  "err.network": ["Keine Verbindung zum Server. Bitte prüfen Sie Ihre Netzwerkverbindung.", "No connection to the server. Please check your network."],
  "err.session": ["Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Your session has expired. Please log in again."],
  "err.forbidden": ["Keine Berechtigung: {detail}", "Not allowed: {detail}"],
  "err.notfound": ["Nicht gefunden: {detail}", "Not found: {detail}"],
  "err.conflict": ["Jemand anderes hat dieses Ticket geändert.", "Someone else has changed this ticket."],
  "err.toolarge": ["Die Daten sind zu groß.", "The data is too large."],
  "err.ratelimited": ["Zu viele Anfragen. Bitte versuchen Sie es später noch einmal.", "Too many requests. Please try again later."],
  "err.validation": ["Ungültige Eingabe: {detail}", "Invalid input: {detail}"],
  "err.server": ["Serverfehler: {detail}", "Server error: {detail}"],
  // very large tickets: older messages come without their bodies (issue 13, Lambda's 6 MB)
  "mail.omitted": ["Dieses Ticket ist sehr groß: der Text dieser älteren Nachricht wurde nicht mitgeladen.", "This ticket is very large: this older message's text was not loaded with it."],
  "pub.shortened": ["(gekürzt – die vollständige Nachricht finden Sie in Ihrem Postfach)", "(shortened – the whole message is in your mailbox)"],
  // set-up checklist (GET admin/setup)
  "setup.title": ["Einrichtung", "Set-up"],
  "setup.intro": ["Bevor der Helpdesk E-Mails annimmt und beantwortet, fehlt noch etwas ({open} offen):", "Before the helpdesk receives and answers mail, something is missing ({open} open):"],
  "setup.admin": ["Ein aktiver Administrator", "An active admin"],
  "setup.mailbox": ["Ein Postfach, das E-Mails empfängt", "A mailbox that receives mail"],
  "setup.default_queue": ["Die Standard-Queue „{queue}“ anlegen", "Create the default queue “{queue}”"],
  "setup.mailbox_queues": ["Jedes Postfach nennt eine vorhandene Queue {mailboxes}", "Every mailbox names an existing queue {mailboxes}"],
  "setup.queue_notify": ["Jede Benachrichtigungsadresse einer Queue ist eine E-Mail-Adresse {queues}", "Every queue's notification address is an e-mail address {queues}"],
  "setup.autoreply": ["Texte der automatischen Antwort {mailboxes}", "Auto-reply texts {mailboxes}"],
  "setup.signature": ["Eine Signatur für das Team", "A team signature"],
  "setup.team": ["Weitere Kolleginnen und Kollegen einladen", "Invite colleagues"],
  "setup.optional": ["optional", "optional"],
  "setup.state.done": ["erledigt", "done"], "setup.state.todo": ["offen", "open"],
  "setup.state.warn": ["prüfen", "check"], "setup.state.unknown": ["unbekannt", "unknown"],
  // login
  "login.title": ["Anmelden", "Log in"], "login.intro": ["Anmeldung für das Support-Team", "Sign-in for the support team"],
  "login.username": ["Benutzername", "Username"], "login.password": ["Passwort", "Password"],
  "login.remember": ["Angemeldet bleiben (dieses Gerät)", "Stay logged in (this device)"], "login.submit": ["Anmelden", "Log in"],
  "login.missing": ["Bitte Benutzername und Passwort eingeben.", "Please enter username and password."],
  "login.failed": ["Benutzername oder Passwort ist falsch.", "Wrong username or password."],
  "login.expired": ["Ihre Sitzung ist abgelaufen. Bitte melden Sie sich erneut an.", "Your session has expired. Please log in again."],
  "login.challenge": ["Anmeldung verlangt einen weiteren Schritt ({challenge}), den dieser Client nicht unterstützt.", "The login needs another step ({challenge}) this client does not support."],
  "pw.title": ["Neues Passwort festlegen", "Set a new password"],
  "pw.intro": ["Bei der ersten Anmeldung müssen Sie ein eigenes Passwort festlegen.", "On your first login you have to choose your own password."],
  "pw.new": ["Neues Passwort", "New password"], "pw.repeat": ["Passwort wiederholen", "Repeat password"],
  "pw.rules": ["Mindestens 8 Zeichen, mit Groß- und Kleinbuchstaben, Ziffer und Sonderzeichen.", "At least 8 characters, with upper and lower case letters, a digit and a symbol."],
  "pw.short": ["Das Passwort ist zu kurz.", "The password is too short."], "pw.mismatch": ["Die Passwörter stimmen nicht überein.", "The passwords do not match."],
  "pw.submit": ["Passwort speichern", "Save password"],
  // help
  "help.title": ["Tastenkürzel", "Keyboard shortcuts"], "help.jk": ["nächstes / vorheriges Ticket", "next / previous ticket"],
  "help.open": ["Ticket öffnen", "open ticket"], "help.select": ["Ticket auswählen (Liste)", "select ticket (list)"],
  "help.reply": ["antworten", "reply"], "help.comment": ["interner Kommentar", "internal comment"],
  "help.archive": ["archivieren (abschließen)", "archive (close)"], "help.search": ["suchen", "search"],
  "help.help": ["diese Hilfe", "this help"], "help.escape": ["Eingabefeld oder Dialog verlassen", "leave input field or dialog"],
  // inbox
  "inbox.title": ["Ticketliste", "Tickets"], "inbox.filters": ["Filter", "Filters"], "inbox.morefilters": ["Weitere Filter", "More filters"], "inbox.views": ["Ansichten", "Views"],
  "inbox.tab.inbox": ["Posteingang", "Inbox"], "inbox.tab.mine": ["In Bearbeitung", "Assigned to me"], "inbox.tab.unread": ["Ungelesen", "Unread"],
  "inbox.tab.review": ["Zu prüfen", "To review"], "inbox.tab.trash": ["Papierkorb", "Trash"],
  "views.label": ["Eigene Ordner", "My views"], "views.mine": ["Meine Ansicht", "My view"], "views.shared": ["Ansicht des Teams", "Team view"],
  "views.save": ["Ansicht speichern", "Save view"], "views.update": ["Ansicht ändern", "Change view"], "views.delete": ["Ansicht löschen", "Delete view"],
  "views.name": ["Name", "Name"], "views.share": ["Für das Team freigeben", "Share with the team"],
  "views.save.text": ["Die aktuellen Filter und die Sortierung als Ansicht speichern.", "Save the current filters and sort as a view."],
  "views.update.text": ["Die Ansicht mit den aktuellen Filtern und der Sortierung speichern.", "Save the view with the current filters and sort."],
  "views.saved": ["Ansicht „{name}“ gespeichert.", "View “{name}” saved."], "views.delete.confirm": ["Ansicht „{name}“ löschen?", "Delete the view “{name}”?"],
  "inbox.search": ["Suche", "Search"], "inbox.search.placeholder": ["Suchen in Betreff, Nachrichten, Kommentaren, Kunde, Nummer …", "Search subject, messages, comments, customer, number …"],
  "inbox.status": ["Status", "Status"], "inbox.status.all": ["alle", "all"], "inbox.sort": ["Sortierung", "Sort by"],
  "inbox.sort.updated": ["zuletzt geändert", "last updated"], "inbox.sort.due": ["Fälligkeit", "due date"],
  "inbox.sort.created": ["erstellt", "created"], "inbox.sort.priority": ["Priorität", "priority"],
  "inbox.sort.number": ["Nummer", "number"], "inbox.sort.customer": ["Kunde", "customer"],
  "inbox.order": ["Reihenfolge", "Order"], "inbox.order.desc": ["absteigend", "descending"],
  "inbox.order.asc": ["aufsteigend", "ascending"],
  "inbox.reset": ["Filter zurücksetzen", "Reset filters"], "inbox.colfilter": ["{column} filtern", "Filter {column}"], "inbox.colfilter.placeholder": ["enthält …", "contains …"], "inbox.caption": ["Tickets", "Tickets"],
  "inbox.selectall": ["Alle sichtbaren Tickets auswählen", "Select all visible tickets"], "inbox.select": ["{number} auswählen", "Select {number}"],
  "inbox.more": ["Mehr laden", "Load more"], "inbox.empty": ["Keine Tickets gefunden.", "No tickets found."],
  "inbox.count": ["{n} Tickets", "{n} tickets"], "inbox.count.one": ["1 Ticket", "1 ticket"], "inbox.count.more": ["{n} Tickets geladen, weitere vorhanden", "{n} tickets loaded, more available"], "inbox.count.more.one": ["1 Ticket geladen, weitere vorhanden", "1 ticket loaded, more available"],
  "inbox.partial": ["(Suche unvollständig – „Mehr laden“ sucht weiter)", "(search incomplete – “Load more” continues)"],
  "inbox.new": ["{n} neue oder geänderte Tickets", "{n} new or changed tickets"], "inbox.new.one": ["1 neues oder geändertes Ticket", "1 new or changed ticket"],
  // full-text search (issue 15): where a ticket matched, shown under its subject
  "search.in.subject": ["im Betreff", "in the subject"], "search.in.number": ["in der Nummer", "in the number"],
  "search.in.customer": ["beim Kunden", "in the customer"], "search.in.message": ["in der Nachricht vom {date}:", "in the message of {date}:"],
  "search.in.comment": ["im Kommentar vom {date}:", "in the comment of {date}:"], "search.in.attachment": ["im Anhang vom {date}:", "in an attachment of {date}:"],
  "filter.bytag": ["Nach Tag „{tag}“ filtern", "Filter by tag “{tag}”"],
  "col.number": ["Nummer", "Number"], "col.subject": ["Betreff", "Subject"], "col.customer": ["Kunde", "Customer"],
  "col.queue": ["Warteschlange", "Queue"], "col.assignee": ["Bearbeiter", "Assignee"], "col.status": ["Status", "Status"],
  "col.priority": ["Priorität", "Priority"], "col.tags": ["Tags", "Tags"], "col.updated": ["Aktualisiert", "Updated"], "col.due": ["Fällig", "Due"],
  "flag.unread": ["ungelesen", "unread"], "flag.review": ["zur Prüfung", "to review"], "flag.prio": ["Prio", "Prio"],
  "flag.private": ["privat", "private"], "flag.personal": ["persönlich", "personal"], "flag.overdue": ["überfällig", "overdue"],
  "sla": ["SLA", "SLA"], "sla.breached": ["SLA verletzt", "SLA breached"], "sla.paused": ["SLA pausiert", "SLA paused"],
  "sla.met": ["SLA erfüllt", "SLA met"], "sla.running": ["läuft", "running"], "sla.warning": ["bald verletzt", "about to breach"],
  "sla.first_response": ["Erste Antwort", "First response"], "sla.next_response": ["Nächste Antwort", "Next response"],
  "sla.solution": ["Lösung", "Solution"], "pub.due": ["Voraussichtlich gelöst bis {date}", "Expected solution by {date}"],
  "flag.private.short": ["P", "P"], "flag.personal.short": ["pers.", "pers."],
  // batch
  "batch.title": ["Stapelverarbeitung", "Batch actions"], "batch.count": ["{n} ausgewählt", "{n} selected"],
  "batch.spam": ["Spam entfernen", "Remove spam"], "batch.block": ["Absender sperren", "Block senders"],
  "batch.block.confirm": ["{n} Tickets in den Papierkorb verschieben und ihre Absender dauerhaft sperren?", "Move {n} tickets to the trash and block their senders permanently?"],
  "batch.block.confirm.one": ["Das Ticket in den Papierkorb verschieben und seinen Absender dauerhaft sperren?", "Move the ticket to the trash and block its sender permanently?"],
  "batch.archive": ["Ungelesen ins Archiv", "Archive unread"], "batch.mark": ["Markieren", "Mark"], "batch.mark.choose": ["– wählen –", "– choose –"],
  "batch.mark_private": ["als privat", "as private"], "batch.mark_personal": ["als persönlich", "as personal"], "batch.mark_prio": ["als Prio", "as prio"],
  "batch.unmark_private": ["nicht mehr privat", "not private"], "batch.unmark_personal": ["nicht mehr persönlich", "not personal"],
  "batch.unmark_prio": ["keine Prio", "no prio"], "batch.mark_read": ["als gelesen", "as read"], "batch.mark_unread": ["als ungelesen", "as unread"],
  "batch.set": ["Setzen", "Set"], "batch.value": ["Wert", "Value"], "batch.clear": ["Auswahl aufheben", "Clear selection"],
  "batch.done": ["{n} Tickets geändert.", "{n} tickets changed."], "batch.done.one": ["1 Ticket geändert.", "1 ticket changed."],
  "batch.partial": ["{ok} geändert, {failed} fehlgeschlagen:", "{ok} changed, {failed} failed:"],
  "batch.blocked": ["Gesperrte Absender: {senders}", "Blocked senders: {senders}"],
  "batch.error.conflict": ["wurde inzwischen geändert – bitte erneut versuchen", "was changed meanwhile – please try again"],
  "batch.error.forbidden": ["keine Berechtigung", "not allowed"], "batch.error.not_found": ["nicht gefunden", "not found"],
  "batch.macro": ["Makro", "Macro"],
  "batch.error.validation_error": ["nicht möglich: {message}", "not possible: {message}"],
  // ticket
  "ticket.back": ["← Ticketliste", "← Tickets"], "ticket.prev": ["‹ Vorheriges", "‹ Previous"], "ticket.next": ["Nächstes ›", "Next ›"],
  "ticket.noprev": ["Kein vorheriges Ticket in der Liste.", "No previous ticket in the list."],
  "ticket.nonext": ["Kein weiteres Ticket in der Liste.", "No further ticket in the list."],
  "ticket.nosubject": ["(kein Betreff)", "(no subject)"], "ticket.thread": ["Verlauf", "Conversation"],
  "ticket.reply": ["Antworten", "Reply"], "ticket.comment": ["Kommentar", "Comment"], "ticket.close": ["Abschließen", "Close ticket"],
  "ticket.closed": ["{number} abgeschlossen.", "{number} closed."], "ticket.channel": ["Kanal: {channel}", "Channel: {channel}"],
  "ticket.created": ["erstellt", "created"], "ticket.properties": ["Eigenschaften", "Properties"],
  "ticket.status": ["Status", "Status"], "ticket.priority": ["Priorität", "Priority"], "ticket.queue": ["Warteschlange", "Queue"],
  "ticket.assignee": ["Bearbeiter", "Assignee"], "ticket.assignee.none": ["– niemand –", "– nobody –"], "ticket.assignme": ["Mir zuweisen", "Assign to me"],
  "ticket.tag": ["Tag", "Tag"], "ticket.tags": ["Tags", "Tags"], "ticket.tags.hint": ["durch Kommas getrennt", "separated by commas"],
  "ticket.due": ["Fällig am", "Due"], "ticket.customer": ["Kunde", "Customer"], "ticket.customer.email": ["E-Mail des Kunden", "Customer's e-mail"],
  "ticket.customer.name": ["Name des Kunden", "Customer's name"], "ticket.customer.lookup": ["Kunde suchen", "Find a customer"],
  "ticket.customer.lookup.placeholder": ["Name, Adresse, Firma, Kundennr., Telefon", "Name, address, company, number, phone"],
  "ticket.customer.lookup.none": ["Kein Kunde gefunden", "No customer found"], "ticket.customerpage": ["Kundenseite öffnen", "Open customer page"],
  "ticket.project": ["Projekt", "Project"], "ticket.type": ["Typ", "Type"], "ticket.parent": ["Übergeordnetes Ticket", "Parent ticket"],
  "ticket.parent.hint": ["Ticketnummer, leer = keines", "ticket number, empty = none"], "ticket.flags": ["Markierungen", "Flags"],
  "ticket.mailbox": ["Postfach", "Mailbox"], "ticket.updated": ["Aktualisiert", "Updated"], "ticket.firstresponse": ["Erste Antwort", "First response"],
  "ticket.version": ["Version", "Version"], "ticket.related": ["Verknüpfte Tickets", "Related tickets"],
  "ticket.mergedinto": ["Dieses Ticket wurde zusammengeführt in", "This ticket was merged into"],
  "ticket.notfound": ["Ticket „{value}“ nicht gefunden.", "Ticket “{value}” not found."],
  "ticket.nomessages": ["Noch keine Nachrichten.", "No messages yet."], "ticket.events": ["Ereignisse ({n})", "Events ({n})"],
  "review.title": ["Zur Prüfung", "Needs review"], "review.claims": ["Diese Mail beansprucht Ticket", "This mail claims ticket"],
  "review.hint": ["Der Absender ist an jenem Ticket nicht beteiligt. Prüfen Sie, ob er berechtigt ist, und führen Sie die Tickets ggf. zusammen.", "The sender is not a participant of that ticket. Check whether they are entitled and merge the tickets if so."],
  "review.done": ["Prüfung erledigt", "Mark as reviewed"],
  "rel.parent": ["Übergeordnet", "Parent"], "rel.merged_into": ["Zusammengeführt in", "Merged into"], "rel.merged_from": ["Zusammengeführt aus", "Merged from"],
  "rel.claimed": ["Beansprucht", "Claims"], "rel.previous": ["Vorheriges Ticket", "Previous ticket"],
  "rel.split_into": ["Abgetrennt in", "Split into"], "rel.split_from": ["Abgetrennt aus", "Split from"],
  // forward, split, Bcc, answering a picked message (issue 14 part 2)
  "msg.answer": ["Antworten", "Reply"], "msg.forward": ["Weiterleiten", "Forward"], "msg.split": ["Als neues Ticket", "Split off"],
  "msg.forwardside": ["Weiterleitung", "Forward"], "fwd.ticket": ["Ticket weiterleiten", "Forward ticket"],
  "compose.bcc": ["Bcc", "Bcc"], "compose.bcc.hint": ["Blindkopie: steht nicht in der E-Mail, nur bei uns", "Blind copy: not in the mail, only kept here"],
  "compose.answering": ["Antwort auf die Nachricht von {from} ({at})", "Answering the message from {from} ({at})"],
  "compose.answer.newest": ["Stattdessen die neueste Kundennachricht beantworten", "Answer the customer's newest mail instead"],
  "fwd.title.msg": ["Nachricht weiterleiten", "Forward message"], "fwd.title.ticket": ["Ticket weiterleiten", "Forward ticket"],
  "fwd.intro.msg": ["Die Nachricht geht mit {number} im Betreff hinaus; Antworten kommen in dieses Ticket, ohne dass der Empfänger Beteiligter wird.", "The message goes out with {number} in the subject; answers come back to this ticket without the recipient becoming a participant."],
  "fwd.intro.ticket": ["Der ganze Verlauf mit dem Kunden (ohne interne Kommentare) geht mit {number} im Betreff hinaus.", "The whole conversation with the customer (no internal comments) goes out with {number} in the subject."],
  "fwd.note": ["Notiz", "Note"], "fwd.files": ["Anhänge mitsenden", "Send files along"], "fwd.eml": ["Original als .eml anhängen", "Attach the original as .eml"],
  "fwd.send": ["Weiterleiten", "Forward"], "fwd.sent": ["Weitergeleitet.", "Forwarded."],
  "fwd.conflict": ["Seit dem Öffnen ist Neues eingegangen (siehe Verlauf). Nichts wurde gesendet; erneut „Weiterleiten“ sendet trotzdem.", "Something new arrived since you opened it (see the thread). Nothing was sent; “Forward” again sends anyway."],
  "split.confirm": ["Diese Nachricht in ein neues Ticket abtrennen? Antworten darauf landen dann dort.", "Split this message off into a new ticket? Answers to it will go there."],
  "split.done": ["Neues Ticket {number} angelegt.", "New ticket {number} created."],
  "conflict.title": ["Jemand anderes hat dieses Ticket geändert.", "Someone else has changed this ticket."],
  // live socket: updates and presence
  "live.on": ["Live: Änderungen erscheinen sofort", "Live: changes appear at once"],
  "live.off": ["Nicht live: Ansicht wird alle 20 Sekunden aktualisiert", "Not live: the view refreshes every 20 seconds"],
  "live.viewing": ["{name} sieht sich das an", "{name} is viewing this"],
  "live.typing": ["{name} schreibt eine Antwort", "{name} is writing a reply"],
  "live.typing.mark": ["Antwort in Arbeit: {names}", "Reply being written: {names}"],
  "conflict.text": ["Ihre Änderung wurde nicht gespeichert (Stand {who}). Laden Sie das Ticket neu und wiederholen Sie die Änderung.", "Your change was not saved (as of {who}). Reload the ticket and apply your change again."],
  "conflict.reload": ["Neu laden", "Reload"],
  "merge.title": ["Zusammenführen", "Merge"], "merge.into": ["In Ticket", "Into ticket"], "merge.button": ["Zusammenführen", "Merge"],
  "merge.hint": ["Nachrichten wandern in das Zielticket, dieses wird abgeschlossen.", "Messages move to the target ticket; this one is closed."],
  "merge.confirm": ["{from} in {into} zusammenführen? Das lässt sich nicht rückgängig machen.", "Merge {from} into {into}? This cannot be undone."],
  "merge.done": ["Zusammengeführt in {into}.", "Merged into {into}."], "merge.self": ["Ein Ticket kann nicht in sich selbst zusammengeführt werden.", "A ticket cannot be merged into itself."],
  "msg.in": ["Nachricht von {from}", "Message from {from}"], "msg.out": ["Antwort an {from}", "Reply by {from}"],
  "msg.to": ["An", "To"], "msg.cc": ["Cc", "Cc"], "msg.system": ["System", "System"], "msg.attachments": ["Anhänge", "Attachments"],
  "msg.download": ["{name} herunterladen", "Download {name}"], "msg.autoreply": ["Automatische Antwort", "Auto-reply"],
  "msg.automatic": ["automatisch ({kind})", "automatic ({kind})"], "msg.sendfailed": ["Versand fehlgeschlagen", "Sending failed"],
  "msg.pending": ["wird gesendet", "sending"], "msg.outside": ["außerhalb des Helpdesks gesendet", "sent outside the helpdesk"], "msg.spam": ["Spamverdacht", "Suspected spam"], "msg.virus": ["Virusverdacht", "Suspected virus"],
  "msg.fail": ["fehlgeschlagen", "failed"], "msg.defects": ["Mail fehlerhaft", "Damaged mail"],
  "note.kind": ["Interne Notiz", "Internal note"], "note.label": ["Interne Notiz von {author}", "Internal note by {author}"],
  "mail.frame": ["Inhalt der E-Mail", "Mail content"], "mail.frame.of": ["E-Mail von {from}", "Mail from {from}"],
  "mail.images.blocked": ["Externe Bilder wurden blockiert.", "External images were blocked."], "mail.images.load": ["Bilder laden", "Load images"],
  "mail.images.loaded": ["Externe Bilder geladen.", "External images loaded."], "mail.expand": ["Vergrößern", "Expand"],
  "mail.shrink": ["Verkleinern", "Shrink"], "mail.quote.show": ["Ganze Nachricht anzeigen", "Show whole message"],
  "mail.quote.hide": ["Zitat ausblenden", "Hide quoted text"], "mail.quote.folded": ["… zitierter Text", "… quoted text"], "mail.full": ["Vollständige Nachricht laden", "Load the complete message"],
  "ev.TicketCreated": ["erstellt", "created"], "ev.MessageAdded": ["Nachricht", "message"], "ev.StatusChanged": ["Status", "status"],
  "ev.TicketUpdated": ["geändert", "changed"], "ev.CommentAdded": ["Kommentar", "comment"], "ev.TicketMerged": ["zusammengeführt", "merged"],
  "ev.PersonalDataErased": ["personenbezogene Daten entfernt", "personal data erased"],
  "ev.MessageForwarded": ["weitergeleitet", "forwarded"], "ev.TicketSplit": ["aufgeteilt", "split"],
  "ev.ReminderSent": ["Erinnerung gesendet", "reminder sent"], "ev.DeadlineMissed": ["Frist verpasst", "deadline missed"],
  "ev.DeadlineWarning": ["Frist läuft bald ab", "deadline near"], "ev.AutomationRan": ["Auslöser", "triggers"],
  "ev.MacroApplied": ["Makro", "macro"], "ev.MacroUndone": ["Makro rückgängig", "macro undone"], "ev.AutoAssigned": ["Zuweisung", "assignment"],
  "field.status": ["Status", "status"], "field.priority": ["Priorität", "priority"], "field.queue": ["Warteschlange", "queue"],
  "field.assignee": ["Bearbeiter", "assignee"], "field.tags": ["Tags", "tags"], "field.due_at": ["Fällig", "due"], "field.type": ["Typ", "type"],
  "field.project": ["Projekt", "project"], "field.customer_email": ["Kunden-E-Mail", "customer e-mail"], "field.customer_name": ["Kundenname", "customer name"],
  "field.parent_id": ["übergeordnet", "parent"], "field.private": ["privat", "private"], "field.personal": ["persönlich", "personal"],
  "field.prio": ["Prio", "prio"], "field.unread": ["ungelesen", "unread"], "field.review": ["Prüfung", "review"],
  "field.merged_into": ["zusammengeführt in", "merged into"], "field.closed_at": ["abgeschlossen am", "closed at"],
  "channel.email": ["E-Mail", "e-mail"], "channel.phone": ["Telefon", "phone"], "channel.walk_in": ["persönlich vor Ort", "walk-in"],
  "channel.web": ["Web", "web"], "channel.letter": ["Brief", "letter"], "channel.chat": ["Chat", "chat"], "channel.other": ["Sonstiges", "other"],
  "channel.contact_form": ["Kontaktformular", "contact form"],
  // composer
  "compose.title": ["Antworten oder kommentieren", "Reply or comment"], "compose.mode": ["Art", "Kind"],
  "compose.reply": ["Antwort an Kunden", "Reply to customer"], "compose.comment": ["Interner Kommentar", "Internal comment"],
  "compose.to": ["An", "To"], "compose.to.hint": ["Standard: alle Empfänger der beantworteten Mail außer uns", "default: everyone on the mail answered but us"],
  "compose.cc": ["Cc", "Cc"], "compose.cc.hint": ["Adressen durch Kommas getrennt", "addresses separated by commas"],
  "compose.template.lang": ["Sprache der Vorlage", "Template language"], "compose.template": ["Vorlage", "Template"],
  "compose.template.hint": ["Eingefügt wie gesendet: Variablen für dieses Ticket ausgefüllt.", "Inserted as sent: variables filled in for this ticket."],
  "compose.template.choose": ["– Vorlage einfügen –", "– insert template –"], "compose.template.none": ["keine Vorlagen", "no templates"],
  "compose.body": ["Nachricht", "Message"], "compose.files": ["Anhänge", "Attachments"], "compose.files.hint": ["höchstens 10 MB je Datei", "at most 10 MB per file"],
  "compose.original": ["Originalnachricht anhängen", "Attach original message"], "compose.submitas": ["Einreichen als", "Submit as"],
  "compose.send": ["Senden", "Send"], "compose.discard": ["Entwurf verwerfen", "Discard draft"],
  "compose.restored": ["Entwurf wiederhergestellt.", "Draft restored."], "compose.empty": ["Bitte einen Text eingeben.", "Please enter a text."],
  "compose.norecipient": ["Bitte mindestens einen Empfänger angeben.", "Please give at least one recipient."],
  "compose.wait": ["Bitte warten, bis alle Anhänge hochgeladen sind.", "Please wait until all attachments are uploaded."],
  "compose.sent": ["Antwort gesendet – Status: {status}.", "Reply sent – status: {status}."],
  "compose.sendfailed": ["Der Versand ist fehlgeschlagen. Die Nachricht ist gespeichert und kann erneut gesendet werden.", "Sending failed. The message is stored and can be sent again."],
  "compose.uploading": ["{name} wird hochgeladen", "uploading {name}"], "compose.uploaded": ["hochgeladen", "uploaded"],
  "compose.upload.failed": ["Hochladen fehlgeschlagen (Verbindung zum Speicher blockiert).", "Upload failed (connection to storage blocked)."],
  "compose.file.toolarge": ["zu groß (max. {max})", "too large (max. {max})"], "compose.file.remove": ["{name} entfernen", "Remove {name}"],
  "compose.comment.body": ["Interner Kommentar", "Internal comment"],
  "compose.comment.hint": ["Nur für das Team sichtbar, wird nie gemailt. @benutzername erwähnt Kollegen.", "Only visible to the team, never mailed. @username mentions colleagues."],
  "compose.comment.tags": ["Tags hinzufügen", "Add tags"], "compose.comment.save": ["Kommentar speichern", "Save comment"],
  "compose.comment.saved": ["Kommentar gespeichert.", "Comment saved."],
  // new ticket
  "new.title": ["Neues Ticket erfassen", "Record a new ticket"],
  "new.intro": ["Für Anrufe, Besuche, Briefe: das Ticket wird wie eine Mail angelegt.", "For calls, visits, letters: the ticket is filed like a mail."],
  "new.channel": ["Kanal", "Channel"], "new.subject": ["Betreff", "Subject"], "new.body": ["Anliegen", "Request"],
  "new.body.hint": ["Was der Kunde gesagt hat", "What the customer said"], "new.queue.default": ["– Standard –", "– default –"],
  "new.mailbox": ["Postfach (Absender)", "Mailbox (sender)"], "new.mailbox.default": ["– Standard –", "– default –"],
  "new.sendmail": ["Den Text auch als erste Mail an den Kunden senden", "Also send the text to the customer as the first mail"],
  "new.sendmail.hint": ["Braucht eine Kunden-E-Mail.", "Needs a customer e-mail."], "new.submit": ["Ticket anlegen", "Create ticket"],
  "new.missing": ["Bitte Betreff und Anliegen ausfüllen.", "Please fill in subject and request."],
  "new.phone": ["Telefon des Kunden", "Customer's phone"],
  "new.knownname": ["Bekannter Kunde: Name übernommen.", "Known customer: name filled in."],
  "new.needsemail": ["Für eine Mail wird die E-Mail des Kunden gebraucht.", "Sending a mail needs the customer's e-mail."],
  "new.created": ["Ticket {number} angelegt.", "Ticket {number} created."],
  // customers
  "customers.title": ["Kunden", "Customers"], "customers.search": ["Suche", "Search"], "customers.search.placeholder": ["Name oder E-Mail", "Name or e-mail"],
  "customers.search.hint": ["findet Namen, die so beginnen", "finds names starting with this"],
  "customers.count": ["{n} Kunden", "{n} customers"], "customers.count.one": ["1 Kunde", "1 customer"], "customers.empty": ["Keine Kunden gefunden.", "No customers found."],
  "customers.back": ["← Kunden", "← Customers"], "customer.new": ["Neuer Kunde", "New customer"], "customer.create": ["Kunde anlegen", "Create customer"],
  "customer.email": ["E-Mail", "E-mail"], "customer.name": ["Name", "Name"], "customer.company": ["Firma", "Company"], "customer.phone": ["Telefon", "Phone"],
  "customer.external": ["Kundennummer", "Customer number"], "customer.external.hint": ["z. B. aus dem ERP", "e.g. from the ERP"],
  "customer.notes": ["Notizen", "Notes"], "customer.tickets": ["Tickets", "Tickets"], "customer.last": ["Letztes Ticket", "Last ticket"],
  "customer.data": ["Stammdaten", "Details"], "customer.newticket": ["Ticket für diesen Kunden", "Ticket for this customer"],
  // reports
  "reports.title": ["Berichte", "Reports"], "reports.start": ["Von", "From"], "reports.end": ["Bis", "To"],
  "reports.granularity": ["Einteilung", "Grouping"], "reports.day": ["Tage", "days"], "reports.week": ["Wochen", "weeks"],
  "reports.show": ["Anzeigen", "Show"], "reports.presets": ["Zeiträume", "Periods"], "reports.last": ["letzte {n} Tage", "last {n} days"],
  "reports.range": ["Zeitraum {start} – {end}", "Period {start} – {end}"], "reports.volume": ["Aufkommen", "Volume"],
  "reports.first_response": ["Erste Antwort", "First response"], "reports.resolution": ["Lösungszeit", "Resolution time"],
  "reports.median": ["Median", "Median"], "reports.p90": ["90 %-Wert", "90th percentile"], "reports.basis": ["aus {n} Tickets", "from {n} tickets"], "reports.basis.one": ["aus 1 Ticket", "from 1 ticket"],
  "reports.backlog.status": ["Bestand nach Status", "Backlog by status"], "reports.backlog.queue": ["Bestand nach Warteschlange", "Backlog by queue"],
  "reports.sla": ["SLA-Verletzungen", "SLA breaches"], "reports.sla.none": ["Keine SLA-Uhr in diesem Zeitraum.", "No SLA clock in this range."],
  "reports.sla.first_response": ["Erste Antwort", "First response"], "reports.sla.next_response": ["Nächste Antwort", "Next response"],
  "reports.sla.solution": ["Lösung", "Solution"], "reports.sla.met": ["eingehalten", "met"], "reports.sla.breached": ["verletzt", "breached"],
  "reports.sla.rate": ["Verletzungsquote", "breach rate"],
  "reports.backlog.agent": ["Bestand nach Bearbeiter", "Backlog by agent"], "reports.autoreplies": ["Automatische Antworten", "Auto-replies"],
  "reports.table": ["Zahlen als Tabelle", "Numbers as a table"], "reports.period": ["Zeitraum", "Period"], "reports.key": ["Wert", "Item"],
  "reports.count": ["Anzahl", "Count"], "reports.hours": ["Dauer", "Duration"], "reports.nodata": ["Keine Daten im Zeitraum.", "No data in this period."],
  "stat.tickets_created": ["Neue Tickets", "New tickets"], "stat.messages_in": ["Eingegangene Nachrichten", "Messages in"],
  "stat.replies": ["Antworten", "Replies"], "stat.closed": ["Abgeschlossen", "Closed"], "stat.reopened": ["Wieder geöffnet", "Reopened"],
  "stat.autoreplies_sent": ["Auto-Antworten gesendet", "Auto-replies sent"], "stat.autoreplies_suppressed": ["Auto-Antworten unterdrückt", "Auto-replies suppressed"],
  "unit.h": ["{n} Std.", "{n} h"], "unit.d": ["{n} Tg.", "{n} d"], "unit.min": ["{n} Min.", "{n} min"],
  // admin
  "cond.from": ["Absender", "sender"], "cond.from_name": ["Absendername", "sender name"], "cond.from_domain": ["Absender-Domain", "sender domain"],
  "cond.to": ["An", "to"], "cond.recipient": ["Empfänger (alle)", "recipient (any)"], "cond.cc": ["Cc", "cc"], "cond.subject": ["Betreff", "subject"],
  "cond.body": ["Text", "body"], "cond.mailbox": ["Postfach", "mailbox"], "cond.has_attachment": ["hat Anhang", "has attachment"],
  "cond.attachment_name": ["Anhangname", "attachment name"], "cond.spam_verdict": ["Spam-Prüfung", "spam verdict"],
  "cond.virus_verdict": ["Viren-Prüfung", "virus verdict"], "cond.spf": ["SPF", "SPF"], "cond.dkim": ["DKIM", "DKIM"], "cond.dmarc": ["DMARC", "DMARC"],
  "cond.header": ["Kopfzeile", "header"],
  "op.contains": ["enthält", "contains"], "op.equals": ["ist gleich", "equals"], "op.starts_with": ["beginnt mit", "starts with"],
  "op.ends_with": ["endet mit", "ends with"], "op.regex": ["passt auf Regex", "matches regex"], "op.not_contains": ["enthält nicht", "does not contain"],
  "op.exists": ["ist vorhanden", "exists"],
  "role.admin": ["Administrator", "Administrator"], "role.agent": ["Mitarbeiter", "Agent"],
  "me.profile": ["Meine Signatur", "My signature"],
  "me.profile.intro": ["Steht über der Signatur des Postfachs, aus dem Sie antworten.", "Goes above the signature of the mailbox you reply from."],
  "me.phone": ["Meine Telefonnummer", "My phone number"], "me.phone.hint": ["in Signaturen als Variable PHONE", "in signatures as the variable PHONE"], "me.signature": ["Eigene Signatur", "Own signature"],
  "me.aliases": ["Weitere eigene E-Mail-Adressen", "My other e-mail addresses"], "me.aliases.hint": ["eine je Zeile: E-Mails von dort mit [#Ticketnummer] oder als Antwort kommen als meine ins Ticket", "one per line: mail from them with [#ticket number] or as an answer joins the ticket as mine"],
  "me.saved": ["Signatur gespeichert", "Signature saved"],
  // public pages
  // issue 12 part 6: the event list as prose ("evp.*" sentences per event kind, "reason.*" per reason code of
  // domain/reasons.py; tests/unit/test_event_prose.py checks both languages for every kind and code)
  "pub.ticket.title": ["Ihre Anfrage", "Your request"], "pub.invalid.title": ["Link ungültig", "Link not valid"],
  "pub.invalid": ["Dieser Link ist ungültig oder abgelaufen. Bitte schreiben Sie uns eine E-Mail oder nutzen Sie das Kontaktformular.", "This link is invalid or has expired. Please write us an e-mail or use the contact form."],
  "pub.contact.link": ["Zum Kontaktformular", "To the contact form"], "pub.status": ["Status:", "Status:"],
  "pub.dates": ["Eingegangen {created}, zuletzt geändert {updated}", "Received {created}, last updated {updated}"],
  "pub.us": ["Unser Team", "Our team"], "pub.you": ["Sie", "You"], "pub.reply.title": ["Antworten", "Reply"],
  "pub.reply.body": ["Ihre Nachricht", "Your message"], "pub.reply.send": ["Nachricht senden", "Send message"],
  "pub.reply.done": ["Danke, Ihre Nachricht ist angekommen.", "Thank you, your message has arrived."],
  "pub.contact.title": ["Kontakt", "Contact"], "pub.contact.intro": ["Schreiben Sie uns – Sie erhalten eine Bestätigung per E-Mail.", "Write to us – you will get a confirmation by e-mail."],
  "pub.contact.name": ["Ihr Name", "Your name"], "pub.contact.email": ["Ihre E-Mail-Adresse", "Your e-mail address"],
  "pub.contact.subject": ["Betreff", "Subject"], "pub.contact.body": ["Ihre Nachricht", "Your message"], "pub.contact.send": ["Absenden", "Send"],
  "pub.contact.missing": ["Bitte E-Mail-Adresse, Betreff und Nachricht ausfüllen.", "Please fill in e-mail address, subject and message."],
  "pub.contact.thanks": ["Vielen Dank!", "Thank you!"], "pub.contact.number": ["Ihre Anfrage hat die Nummer {number}.", "Your request has the number {number}."],
  "pub.contact.received": ["Ihre Anfrage ist eingegangen.", "Your request has been received."],
  // no double replies (issue 12, part 3): 409 reply_conflict in the composer, on the customer page, batch skips
  "replyconflict.new_message": ["Der Kunde hat inzwischen geschrieben.", "The customer has written meanwhile."],
  "replyconflict.new_reply": ["Inzwischen wurde schon geantwortet.", "Someone has replied meanwhile."],
  "replyconflict.new_comment": ["Inzwischen gibt es einen neuen Kommentar.", "There is a new comment meanwhile."],
  "replyconflict.unsent": ["Ihre Antwort wurde nicht gesendet – Ihr Entwurf ist erhalten.", "Your reply was not sent – your draft is kept."],
  "replyconflict.mail": ["Nachricht von {name}", "Message from {name}"],
  "replyconflict.reply": ["Antwort von {name}", "Reply by {name}"],
  "replyconflict.comment": ["Kommentar von {name}", "Comment by {name}"],
  "replyconflict.send": ["Trotzdem senden", "Send anyway"], "replyconflict.keep": ["Entwurf behalten", "Keep draft"],
  "pub.conflict": ["Wir haben Ihnen inzwischen geschrieben (oben). Ihre Nachricht wurde noch nicht gesendet.", "We have written to you meanwhile (above). Your message has not been sent yet."],
  "pub.conflict.send": ["Trotzdem senden", "Send anyway"],
  "batch.error.reply_in_progress": ["übersprungen – {names} schreibt gerade eine Antwort", "skipped – {names} is writing a reply"],
  "batch.confirm.typing": ["Trotzdem ausführen", "Apply anyway"],
  // Outbound mail durability (send): delivery state of a sent mail, re-send.
  "send.retry": ["nicht zugestellt – wird automatisch erneut gesendet ({reason})", "not delivered – will be sent again automatically ({reason})"],
  "send.failed": ["nicht zugestellt ({reason})", "not delivered ({reason})"],
  "send.bounced": ["nicht zugestellt (Bounce: {reason})", "not delivered (bounce: {reason})"],
  "send.complained": ["Beschwerde: als Spam gemeldet ({reason})", "Complaint: reported as spam ({reason})"],
  "send.resend": ["Erneut senden", "Send again"], "send.resent": ["Erneut gesendet.", "Sent again."],
  "send.stillfailed": ["Der Versand ist wieder fehlgeschlagen; der Grund steht an der Nachricht.", "Sending failed again; the reason is shown on the message."],
  // data protection (DSGVO): delete for good, erase/anonymize a customer, audit log
  "csv.title": ["Als CSV herunterladen (für Excel)", "Download as CSV (for Excel)"],
  "csv.truncated": ["Die CSV enthält nur die ersten {n} Tickets – bitte enger filtern.", "The CSV holds only the first {n} tickets – please narrow the filter."],
  "pub.privacy": ["Datenschutzhinweis", "Privacy notice"],
  // notifications (issue 12, part 4): bell, list, my settings, the admin's system sender
  "ntf.title": ["Benachrichtigungen", "Notifications"], "ntf.bell": ["Benachrichtigungen: {n} ungelesen", "Notifications: {n} unread"],
  "ntf.bell.one": ["Benachrichtigungen: 1 ungelesen", "Notifications: 1 unread"],
  "ntf.allread": ["Alle gelesen", "Mark all read"], "ntf.settings": ["Einstellungen", "Settings"],
  "ntf.empty": ["Keine Benachrichtigungen", "No notifications"],
  "ntf.kind.new_ticket": ["Neues Ticket {number}", "New ticket {number}"],
  "ntf.kind.assigned": ["{number} wurde Ihnen zugewiesen", "{number} was assigned to you"],
  "ntf.kind.customer_replied": ["Kunde antwortete auf {number}", "Customer replied on {number}"],
  "ntf.kind.forward_answered": ["Antwort auf Ihre Weiterleitung in {number}", "Answer to a forward in {number}"],
  "ntf.kind.mentioned": ["Sie wurden in {number} erwähnt", "You were mentioned in {number}"],
  "ntf.kind.reopened": ["{number} wurde wieder geöffnet", "{number} was reopened"],
  "ntf.kind.deadline_warning": ["Frist von {number} läuft bald ab", "Deadline of {number} is near"],
  "ntf.kind.deadline_missed": ["Frist von {number} überschritten", "Deadline of {number} missed"],
  "ntf.kind.automation": ["Hinweis eines Auslösers zu {number}", "A trigger's notice on {number}"],
  "ntf.reason.assignee": ["Ihr Ticket", "your ticket"], "ntf.reason.queue_responsible": ["Sie sind für die Queue verantwortlich", "you are responsible for the queue"],
  "ntf.reason.queue_member": ["Ihre Queue", "your queue"], "ntf.reason.queue_open": ["Queue für alle", "queue open to everyone"],
  "ntf.reason.mentioned": ["erwähnt", "mentioned"], "ntf.reason.trigger": ["ein Auslöser nennt Sie", "a trigger names you"],
  "ntf.actor.system": ["System", "system"], "ntf.actor.customer": ["Kunde", "customer"],
  "ntf.prefs.title": ["Meine Benachrichtigungen", "My notifications"],
  "ntf.prefs.intro": ["Worüber Sie wie informiert werden: in der App (Glocke) und per E-Mail.", "What you are told about, and how: in the app (bell) and by e-mail."],
  "ntf.prefs.event": ["Ereignis", "Event"], "ntf.prefs.saved": ["Einstellungen gespeichert", "Settings saved"],
  "ntf.channel.app": ["App", "App"], "ntf.channel.mail": ["E-Mail", "E-mail"],
  "ntf.pref.new_ticket": ["Neues Ticket in meiner Queue", "New ticket in my queue"],
  "ntf.pref.assigned": ["Ticket mir zugewiesen", "Ticket assigned to me"],
  "ntf.pref.customer_replied": ["Kunde antwortete (mein Ticket oder unzugewiesen in meiner Queue)", "Customer replied (my ticket, or unassigned in my queue)"],
  "ntf.pref.forward_answered": ["Antwort auf eine Weiterleitung (mein Ticket oder unzugewiesen in meiner Queue)", "Answer to a forward (my ticket, or unassigned in my queue)"],
  "ntf.pref.mentioned": ["@Erwähnung in einem Kommentar", "@mention in a comment"],
  "ntf.pref.reopened": ["Mein Ticket wieder geöffnet", "My ticket reopened"],
  "ntf.pref.deadline_warning": ["Frist läuft bald ab (Fälligkeit, Erstreaktion)", "Deadline near (due date, first response)"],
  "ntf.pref.deadline_missed": ["Frist überschritten (Fälligkeit, Erstreaktion)", "Deadline missed (due date, first response)"],
  "ntf.pref.automation": ["Ein Auslöser benachrichtigt mich", "A trigger notifies me"],
  "ntf.set.sender": ["Absender der Benachrichtigungen", "Sender of notifications"],
  "ntf.set.sender.hint": ["eine Adresse auf der Maildomain; leer: notifications@<Maildomain>; Mails von hier werden nie zu Tickets", "an address on the mail domain; empty: notifications@<mail domain>; mail from it never becomes a ticket"],
  "ntf.set.sender.domain": ["Der Absender der Benachrichtigungen muss eine Adresse auf der Maildomain sein: nur von ihr sendet SES.", "The sender of notifications must be an address on the mail domain: SES sends only from it."],
  "ntf.nav.settings": ["Mein Konto", "My settings"],
};

const listeners = new Set();
let current = initial();

function initial() {
  try {
    const stored = localStorage.getItem(KEY);
    if (stored === "de" || stored === "en") return stored;
  } catch {
    /* storage blocked */
  }
  return "de";
}

export function lang() {
  return current;
}

export function setLang(next, { remember = true } = {}) {
  if (next !== "de" && next !== "en") return;
  if (remember) {
    try {
      localStorage.setItem(KEY, next);
    } catch {
      /* storage blocked: the choice lasts for this page */
    }
  }
  if (next === current) return;
  current = next;
  for (const fn of listeners) fn(next);
}

export function onLangChange(fn) {
  listeners.add(fn);
}

/** Strings of views loaded later (administration, the ticket's history, data protection) join here when
 * their module is imported, so the first page does not carry them. */
export function addStrings(table) {
  Object.assign(S, table);
}

export function has(key) {
  return Object.prototype.hasOwnProperty.call(S, key);
}

/** t("inbox.count", {n: 3}) → "3 Tickets"; with n === 1 the key's ".one" form is used when there is one. */
export function t(key, vars) {
  if (vars && vars.n === 1 && S[`${key}.one`]) key = `${key}.one`;
  const entry = S[key];
  if (!entry) {
    console.warn("i18n: missing", key);
    return key;
  }
  const text = entry[current === "en" ? 1 : 0];
  if (!vars) return text;
  return text.replace(/\{(\w+)\}/g, (all, name) => (name in vars ? String(vars[name]) : all));
}

const locale = () => (current === "en" ? "en-GB" : "de-DE");

function date(value) {
  const d = value instanceof Date ? value : new Date(value);
  return Number.isNaN(d.getTime()) ? null : d;
}

export function fmtDate(value) {
  const d = date(value);
  if (!d) return "";
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) {
    const [y, m, day] = value.split("-").map(Number);
    return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(new Date(y, m - 1, day));
  }
  return new Intl.DateTimeFormat(locale(), { dateStyle: "medium" }).format(d);
}

export function fmtDateTime(value) {
  const d = date(value);
  return d ? new Intl.DateTimeFormat(locale(), { dateStyle: "medium", timeStyle: "short" }).format(d) : "";
}

export function fmtRelative(value) {
  const d = date(value);
  if (!d) return "";
  const seconds = (d.getTime() - Date.now()) / 1000;
  const abs = Math.abs(seconds);
  const rtf = new Intl.RelativeTimeFormat(locale(), { numeric: "auto", style: "short" });
  if (abs < 60) return rtf.format(Math.round(seconds), "second");
  if (abs < 3600) return rtf.format(Math.round(seconds / 60), "minute");
  if (abs < 86400) return rtf.format(Math.round(seconds / 3600), "hour");
  if (abs < 7 * 86400) return rtf.format(Math.round(seconds / 86400), "day");
  return fmtDate(value);
}

export function fmtNumber(value, digits = 0) {
  return new Intl.NumberFormat(locale(), { maximumFractionDigits: digits }).format(value);
}

export function fmtHours(hours) {
  if (hours === null || hours === undefined) return "–";
  if (hours < 1) return t("unit.min", { n: fmtNumber(hours * 60) });
  if (hours < 48) return t("unit.h", { n: fmtNumber(hours, 1) });
  return t("unit.d", { n: fmtNumber(hours / 24, 1) });
}

export function fmtSize(bytes) {
  if (!bytes && bytes !== 0) return "";
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${fmtNumber(bytes / 1024, 0)} KB`;
  return `${fmtNumber(bytes / 1024 / 1024, 1)} MB`;
}
