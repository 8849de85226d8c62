// One HTTP request read as a CloudEvent with the CloudEvents SDK (npm "cloudevents"); throws if it is none.
const { HTTP } = require("cloudevents");

module.exports = function cloudEventOf(headers, body) {
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
