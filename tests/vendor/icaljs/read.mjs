// Read an iCalendar file with ical.js and print what a calendar client sees, as JSON.
// Usage: node read.mjs FILE  (timezones come from the file's own VTIMEZONE components)
import fs from "node:fs";
import ICAL from "./ical.min.js";

const root = new ICAL.Component(ICAL.parse(fs.readFileSync(process.argv[2], "utf8")));
for (const zone of root.getAllSubcomponents("vtimezone")) {
  ICAL.TimezoneService.register(zone);
}
const party = (prop) =>
  prop ? { value: prop.getFirstValue(), cn: prop.getParameter("cn") || null } : null;
const events = root.getAllSubcomponents("vevent").map((vevent) => {
  const event = new ICAL.Event(vevent);
  return {
    uid: event.uid,
    summary: event.summary,
    description: event.description,
    location: event.location,
    start: event.startDate.toJSDate().toISOString(),
    end: event.endDate.toJSDate().toISOString(),
    sequence: event.sequence,
    status: vevent.getFirstPropertyValue("status"),
    organizer: party(vevent.getFirstProperty("organizer")),
    attendees: vevent.getAllProperties("attendee").map(party),
  };
});
console.log(JSON.stringify({ method: root.getFirstPropertyValue("method"), events }));
