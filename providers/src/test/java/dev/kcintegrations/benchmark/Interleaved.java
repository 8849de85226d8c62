package dev.kcintegrations.benchmark;

import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Runs several request kinds in rounds, rotating which goes first, so that warm-up, garbage collection and
 * machine noise fall on all of them alike. A request counts as a success when it answers 200 with a token
 * (an OAuth token response, or the plugin API's {@code "status":"success"} envelope).
 */
final class Interleaved {

    private Interleaved() {
    }

    static Map<String, LoadRun.Result> run(HttpClient http, Map<String, HttpRequest> cases, int workers, int rounds, int perRound)
            throws Exception {
        List<String> names = new ArrayList<>(cases.keySet());
        LoadRun.run("warm-up", workers, perRound, i -> ok(http, cases.get(names.get(i % names.size()))));
        Map<String, LoadRun.Result> results = new LinkedHashMap<>();
        names.forEach(name -> results.put(name, null));
        for (int round = 0; round < rounds; round++) {
            List<String> order = new ArrayList<>(names);
            Collections.rotate(order, round);
            for (String name : order) {
                HttpRequest request = cases.get(name);
                results.merge(name, LoadRun.run(name, workers, perRound, i -> ok(http, request)), LoadRun.Result::merge);
            }
        }
        return results;
    }

    static boolean ok(HttpClient http, HttpRequest request) {
        try {
            HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
            return response.statusCode() == 200 && (response.body().contains("\"access_token\"")
                    || response.body().contains("\"status\":\"success\""));
        } catch (Exception e) {
            return false;
        }
    }
}
