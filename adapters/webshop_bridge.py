"""WebShop (text mode) behind the empo2 bridge.

Install: clone princeton-nlp/WebShop, run its setup.sh (downloads product data, builds the search
index, needs Java for pyserini), and start this script from the WebShop checkout so that
`web_agent_site` imports. Mapping: observation = the text observation of WebAgentTextEnv
(observation_mode="text"); task description = the instruction text; admissible actions =
`search[<query>]` when a search box is shown (the query is free text the policy writes) plus
`click[<x>]` for each clickable of env.get_available_actions(); score = 100 * reward (WebShop's
reward in [0, 1] is the attribute/option/price match of the bought item, given when `click[buy now]`
ends the episode); reward = change of score; done = bought or the step limit (default 15).
`variant` is the goal index (the paper's test goals are 0-499).
"""
import argparse

from bridge_common import scalar_info, serve


class WebShopAdapter:
    def __init__(self, step_limit, num_products):
        import gym
        from web_agent_site.envs import WebAgentTextEnv  # noqa: F401  (registers the env)
        self.env = gym.make("WebAgentTextEnv-v0", observation_mode="text", num_products=num_products)
        self.step_limit = step_limit
        self.steps = 0
        self.score = 0.0

    def tasks(self):
        return [{"task": "webshop", "split": "test", "variants": list(range(500))},
                {"task": "webshop", "split": "train", "variants": list(range(1500, 1510))}]

    def _actions(self):
        avail = self.env.get_available_actions()
        acts = ["search[<your query>]"] if avail.get("has_search_bar") else []
        return acts + ["click[%s]" % c for c in avail.get("clickables", [])][:50]

    def reset(self, task, variant, seed):
        obs, _ = self.env.reset(session=variant)
        self.steps = 0
        self.score = 0.0
        return {"observation": obs, "taskDescription": self.env.get_instruction_text(),
                "admissibleActions": self._actions(), "score": 0.0, "info": {}}

    def step(self, action):
        obs, reward, done, _info = self.env.step(action)
        self.steps += 1
        score = max(0.0, min(100.0, 100.0 * float(reward or 0)))
        delta = score - self.score
        self.score = score
        done = bool(done) or self.steps >= self.step_limit
        return {"observation": obs, "reward": delta, "score": score, "done": done,
                "admissibleActions": [] if done else self._actions(),
                "info": scalar_info({"steps": self.steps})}


if __name__ == "__main__":
    p = argparse.ArgumentParser(description=__doc__)
    p.add_argument("--step-limit", type=int, default=15)
    p.add_argument("--num-products", type=int, default=None)
    a = p.parse_args()
    serve(WebShopAdapter(a.step_limit, a.num_products))
