"""ScienceWorld behind the empo2 bridge. Needs `pip install scienceworld` and Java 8+.

Mapping: observation = env.step's observation (reset: load, then "look around", so the world is
loaded once); task description = env.get_task_description(); admissible actions = the valid actions
the simulator's step returned (info["valid"]), capped (below); score = info["score"] (already 0-100;
-100 on a failed task is clamped to 0 and reported as info.failed); reward = change of score; done =
the simulator's isCompleted or the step limit (--step-limit, default 100), which counts agent steps,
not the simulator's moves ("wait" is 10 moves; the simulator's own move limit is set out of reach).
A finished episode says why in info.endReason: taskDone (score 100), failed (the simulator's -100),
simulatorDone (completed below 100), stepLimit. A variation out of range (the simulator would load
it and answer every action with an error) or an unknown task is a reset error.

A dead simulator (py4j's Py4JNetworkError, a closed connection, or the JVM process gone) is answered
with an error of id null, and the adapter exits with status 3: the bridge client then starts a fresh
adapter, and simulator, at the next reset.

Variants: `tasks` lists each task's train and test variations as the simulator splits them
(get_variations_train / get_variations_test of each task; dev is not listed), the first 5 train and
20 test of each by default, the paper's choice (--train-per-task, --test-per-task; 0 = all). Some
tasks have fewer: the numbers come from the simulator at run time.

Admissible actions (--max-actions N, default 200; 0 = no cap). The simulator lists up to ~1,600
valid actions, sorted alphabetically, most of them `connect X to Y`. Never cut: `look around`,
`inventory`, `task`, `wait`, `wait1`, the numbered choices of an ambiguous request, `go to` and
`teleport to`, opening and closing doors, every `look at`, `look in`, `focus on`, `pick up`,
`put down` and `use` action, and every action naming an object the task description names (an
electrical terminal counts as its part: `red light bulb anode` as `red light bulb`). These are kept
even when they alone exceed N. The others fill what is left of N, ranked by how many of their
objects the current observation names (most first), then by length (shortest first), then
alphabetically. The kept actions are listed in the simulator's order.
"""
import argparse
import re

from bridge_common import Fatal, clamp_score, scalar_info, serve

# the simulator's own limit counts moves ("wait" is 10); the bridge counts agent steps itself
SIMULATOR_MOVE_LIMIT = 10 ** 9

# actions without an object that an agent always needs
KEEP_EXACT = {"look around", "inventory", "task", "wait", "wait1"}
# verbs whose actions are never cut: moving, looking, focusing, holding, using
KEEP_VERBS = ("go to", "teleport to", "look at", "look in", "focus on", "pick up", "put down", "use")
# every verb of the simulator's action templates, longest first, and how a two-object action
# separates its objects
VERBS = sorted(KEEP_VERBS + ("open", "close", "activate", "deactivate", "connect", "disconnect", "move",
                             "pour", "dunk", "mix", "eat", "flush", "read"), key=len, reverse=True)
SEPARATORS = {"connect": " to ", "move": " to ", "pour": " into ", "dunk": " into ", "use": " on "}
TERMINAL = re.compile(r"\s+(anode|cathode|terminal \d+)$")


def _words(text):
    return " " + " ".join(re.findall(r"[a-z0-9]+", text.lower())) + " "


def _objects(action):
    """The verb and the object phrases of a valid action (`connect a to b` -> ("connect", [a, b]))."""
    for verb in VERBS:
        if action == verb or action.startswith(verb + " "):
            rest = action[len(verb) + 1:]
            sep = SEPARATORS.get(verb)
            parts = rest.split(sep, 1) if sep and sep in rest else [rest]
            return verb, [p for p in parts if p]
    return "", [action]


def _mentions(phrase, text_words):
    """Whether `phrase` (or, for an electrical terminal, its part) occurs as whole words in the text."""
    return any(_words(p) in text_words for p in {phrase, TERMINAL.sub("", phrase)} if p.strip())


def select_actions(valid, observation, task_description, max_actions):
    """The admissible actions: the simulator's valid actions, capped at `max_actions` (0: no cap).

    Never cut: `look around`, `inventory`, `task`, `wait`, `wait1`, the numbered choices of an
    ambiguous request, every `go to` / `teleport to`, opening and closing doors, every `look at`,
    `look in`, `focus on`, `pick up`, `put down` and `use` action, and every action naming an object
    that the task description names (for an electrical terminal, its part: `red light bulb anode`
    counts for `red light bulb`). These are kept even when they alone exceed the cap. The other
    actions fill what is left of the cap, ranked by how many of their objects the current observation
    names (most first), then by length (shortest first), then alphabetically; so what is kept does not
    depend on the order the simulator lists them in. The result keeps the simulator's order.
    """
    valid = list(dict.fromkeys(valid))
    if max_actions <= 0 or len(valid) <= max_actions:
        return valid
    task_words, obs_words = _words(task_description), _words(observation)
    keep, rest = set(), []
    for a in valid:
        verb, objects = _objects(a)
        if (a in KEEP_EXACT or a.isdigit() or verb in KEEP_VERBS
                or (verb in ("open", "close") and "door" in a.split())
                or any(_mentions(o, task_words) for o in objects)):
            keep.add(a)
        else:
            seen = sum(1 for o in objects if _mentions(o, obs_words))
            rest.append((-seen, len(a), a))
    keep.update(a for _, _, a in sorted(rest)[: max(0, max_actions - len(keep))])
    return [a for a in valid if a in keep]


def _gone(env, error):
    """Whether `error` means the simulator is gone: py4j lost the JVM, or the JVM process exited."""
    if isinstance(error, (ConnectionError, EOFError)):
        return True
    if any(c.__name__ == "Py4JNetworkError" for c in type(error).__mro__):
        return True
    try:
        return env._gateway.java_process.poll() is not None
    except Exception:
        return False


def _or_exit(method):
    """Run an adapter call; when the simulator is gone, raise Fatal so that the bridge starts afresh."""
    def call(self, *args):
        try:
            return method(self, *args)
        except Exception as e:
            if _gone(self.env, e):
                raise Fatal("scienceworld: the simulator is gone (%s: %s); the adapter exits so that the "
                            "bridge starts a fresh one" % (type(e).__name__, e)) from e
            raise
    return call


class ScienceWorldAdapter:
    def __init__(self, jar=None, step_limit=100, max_actions=200, simplifications="easy",
                 train_per_task=5, test_per_task=20):
        from scienceworld import ScienceWorldEnv  # imported here so --help works without it
        self.env = ScienceWorldEnv("", jar, envStepLimit=SIMULATOR_MOVE_LIMIT)
        self.step_limit = step_limit
        self.max_actions = max_actions
        self.simplifications = simplifications
        self.per_task = {"train": train_per_task, "test": test_per_task}
        self.steps = 0
        self.score = 0.0
        self.episode = None  # (task, variant) while an episode runs
        self.history = []  # its actions, to rebuild it if `tasks` reloads the simulator
        self._tasks = None
        self.task_description = ""

    @_or_exit
    def tasks(self):
        """Each task's train and test variations, as the simulator splits them (the first
        --train-per-task / --test-per-task of each; 0: all). The simulator answers for the loaded
        task only, so each task is loaded once (then the listing is kept) and a running episode is
        rebuilt afterwards by replaying its actions."""
        if self._tasks is None:
            out = []
            for name in self.env.get_task_names():
                self.env.load(name, 0, "")  # the splits do not depend on the simplifications
                splits = {"train": list(self.env.get_variations_train()),
                          "test": list(self.env.get_variations_test())}
                for split, variants in splits.items():
                    n = self.per_task[split]
                    out.append({"task": name, "split": split, "variants": variants[:n] if n > 0 else variants})
            self._tasks = out
            if self.episode is not None:
                self._start(*self.episode)
                for action in self.history:
                    self.env.step(action)
        return self._tasks

    def _start(self, task, variant):
        """Load the variation and take the first look; (observation, info). This is env.reset()
        without its second load of the world (reset reloads what load has just loaded)."""
        self.env.load(task, variant, self.simplifications, generateGoldPath=False)
        obs, _reward, _done, info = self.env.step("look around")
        return obs, info

    def _actions(self, observation, info):
        # the simulator's step has just listed the valid actions in info["valid"]
        return select_actions(info.get("valid") or [], observation, self.task_description, self.max_actions)

    @_or_exit
    def reset(self, task, variant, seed):
        # the simulator loads a variation out of range and answers every action with an error
        maximum = self.env.get_max_variations(task)
        if maximum is None or maximum < 0:
            raise ValueError("unknown task %r; the simulator's tasks: %s" % (task, ", ".join(self.env.get_task_names())))
        if not 0 <= variant < maximum:
            raise ValueError("task %r has %d variations (0 to %d); variation %d is out of range"
                             % (task, maximum, maximum - 1, variant))
        obs, info = self._start(task, variant)
        self.episode, self.history = (task, variant), []
        self.task_description = self.env.get_task_description()
        self.steps = 0
        self.score = clamp_score(info.get("score", 0))
        return {"observation": obs, "taskDescription": self.task_description,
                "admissibleActions": self._actions(obs, info), "score": self.score,
                "info": scalar_info({"seed_used": False, "variant": variant})}

    @_or_exit
    def step(self, action):
        obs, _reward, done, info = self.env.step(action)
        self.history.append(action)
        self.steps += 1
        raw = info.get("score", 0)
        score = clamp_score(raw)
        reward = score - self.score
        self.score = score
        failed = isinstance(raw, (int, float)) and raw < 0
        if failed:
            reason = "failed"
        elif done:
            reason = "taskDone" if score >= 100 else "simulatorDone"
        elif self.steps >= self.step_limit:
            reason = "stepLimit"
        else:
            reason = None
        done = reason is not None
        if done:
            self.episode = None
        diagnostics = {"rawScore": raw, "failed": failed, "steps": self.steps, "stepLimit": self.step_limit,
                       "moves": info.get("moves")}
        if done:
            diagnostics["endReason"] = reason
        return {"observation": obs, "reward": reward, "score": score, "done": done,
                "admissibleActions": [] if done else self._actions(obs, info), "info": scalar_info(diagnostics)}

    def close(self):
        self.env.close()


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--jar", default=None)
    p.add_argument("--step-limit", type=int, default=100, help="agent steps per episode")
    p.add_argument("--max-actions", type=int, default=200,
                   help="cap on the admissible actions (0: none); see above for what is never cut")
    p.add_argument("--simplifications", default="easy")
    p.add_argument("--train-per-task", type=int, default=5,
                   help="train variations listed per task: the first N of the simulator's (0: all)")
    p.add_argument("--test-per-task", type=int, default=20,
                   help="test variations listed per task: the first N of the simulator's (0: all)")
    a = p.parse_args()
    serve(ScienceWorldAdapter(a.jar, a.step_limit, a.max_actions, a.simplifications,
                              a.train_per_task, a.test_per_task))
