import { Token, Tokenization } from 'aws-cdk-lib';
import * as elbv2 from 'aws-cdk-lib/aws-elasticloadbalancingv2';
import { loadBalancerFullNameOf } from './own-load-balancer';

const DEFAULT_PORTS: Record<string, number> = { HTTP: 80, HTTPS: 443 };

/**
 * The base URL a listener serves on (`http://<load balancer DNS name>[:port]`), for a listener
 * the app defines; undefined for an imported one, whose load balancer the app does not know.
 * Protocol and port come from the listener's CloudFormation resource: the L2's own fields are
 * private in older aws-cdk-lib releases the library supports.
 */
export function listenerUrl(listener: elbv2.IApplicationListener): string | undefined {
  if (!(listener instanceof elbv2.ApplicationListener)) {
    return undefined;
  }
  const resource = listenerResource(listener);
  const protocol = String(resource.protocol);
  const port = resource.port;
  const scheme = protocol === elbv2.ApplicationProtocol.HTTPS ? 'https' : 'http';
  const suffix = port === undefined || (!Token.isUnresolved(port) && port === DEFAULT_PORTS[protocol]) ? '' : `:${Tokenization.stringifyNumber(port)}`;
  return `${scheme}://${listener.loadBalancer.loadBalancerDnsName}${suffix}`;
}

/** The port a listener the app defines serves on; undefined for an imported one, or a token. */
export function listenerPort(listener: elbv2.IApplicationListener): number | undefined {
  if (!(listener instanceof elbv2.ApplicationListener)) {
    return undefined;
  }
  const port = listenerResource(listener).port;
  return port === undefined || Token.isUnresolved(port) ? undefined : port;
}

/**
 * Whether two listeners are on the same load balancer: by the load balancer object for
 * listeners the app defines, by the `app/<name>/<id>` part of known listener ARNs; undefined
 * when that cannot be told at synth.
 */
export function onSameLoadBalancer(a: elbv2.IApplicationListener, b: elbv2.IApplicationListener): boolean | undefined {
  if (a instanceof elbv2.ApplicationListener && b instanceof elbv2.ApplicationListener) {
    return a.loadBalancer === b.loadBalancer;
  }
  if (Token.isUnresolved(a.listenerArn) || Token.isUnresolved(b.listenerArn)) {
    return undefined;
  }
  return loadBalancerFullNameOf(a.listenerArn) === loadBalancerFullNameOf(b.listenerArn);
}

function listenerResource(listener: elbv2.ApplicationListener): elbv2.CfnListener {
  return listener.node.defaultChild as elbv2.CfnListener;
}
