// One HTTP request read as a CloudEvent with the CloudEvents SDK (npm "cloudevents"); throws if it is none.
const { HTTP } = require("cloudevents");

function cloudEventOf(headers, body) {
  const event = HTTP.toEvent({ headers, body }); // header names in lower case, the body as a string
  if (Array.isArray(event)) throw new Error("a batch, where one event was expected");
  // toEvent fills in id, time and specversion when they are missing: the raw body must have them itself.
  const raw = JSON.parse(body);
  for (const name of ["specversion", "id", "source", "type", "time"]) {
    if (!(name in raw)) throw new Error(`the body has no ${name}`);
  }
  event.validate(); // toEvent alone does not validate
  return event;
};

// A request in the CloudEvents batch mode (Content-Type application/cloudevents-batch+json): the events, each
// read and validated as the SDK reads batches, each with the same checks as a single event's raw body.
function cloudEventsOfBatch(headers, body) {
  const events = HTTP.toEvent({ headers, body });
  if (!Array.isArray(events)) throw new Error("one event, where a batch was expected");
  const raws = JSON.parse(body);
  events.forEach((event, i) => {
    for (const name of ["specversion", "id", "source", "type", "time"]) {
      if (!(name in raws[i])) throw new Error(`event ${i} of the batch has no ${name}`);
    }
    event.validate();
  });
  return events;
}

module.exports = cloudEventOf;
module.exports.cloudEventsOfBatch = cloudEventsOfBatch;
